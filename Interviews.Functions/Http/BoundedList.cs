using System.Collections;
using System.Text.Json;

namespace Interviews.Functions.Http;

/// <summary>The most elements an array of a request may have: the contract's <c>maxItems</c>.</summary>
public interface IItemLimit
{
    static abstract int Max { get; }
}

/// <summary>
/// An array of a request body, of at most <typeparamref name="TLimit"/>'s <see cref="IItemLimit.Max"/>
/// elements. The JSON reader adds the elements one by one as it reads them, and this list refuses the
/// first one past the limit with a <see cref="TooManyItemsException"/>: reading stops there, so an
/// over-long array costs no more than its first <c>Max + 1</c> elements, and nothing is built or
/// validated for the rest.
/// </summary>
public sealed class BoundedList<T, TLimit> : ICollection<T>, IReadOnlyList<T>
    where TLimit : IItemLimit
{
    private readonly List<T> _items = [];

    public int Count => _items.Count;

    public bool IsReadOnly => false;

    public T this[int index] => _items[index];

    public void Add(T item)
    {
        if (_items.Count == TLimit.Max)
        {
            throw new TooManyItemsException(TLimit.Max);
        }

        _items.Add(item);
    }

    public void Clear() => _items.Clear();

    public bool Contains(T item) => _items.Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    public bool Remove(T item) => _items.Remove(item);

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An array of a request has more elements than its limit; <see cref="JsonBody"/> answers a 400 naming the array.</summary>
public sealed class TooManyItemsException(int max) : JsonException($"At most {max} items.")
{
    public int Max { get; } = max;
}
