using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Interviews.Tests.WorkerHost.Protocol;

namespace Interviews.Tests.WorkerHost;

/// <summary>
/// The host's end of the worker's event stream: one outgoing queue (a gRPC stream takes one writer at a
/// time), and the worker's messages routed to whoever waits for them: the start of the stream, the answer
/// to the init and metadata requests, each function's load response, each invocation's response. The
/// worker's logs are kept (the most recent <see cref="MaxLogs"/>).
/// </summary>
internal sealed class WorkerConnection
{
    public const int MaxLogs = 5000;

    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _waiting = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<RpcLog> _logs = new();
    private int _connected;

    /// <summary>Completes when the worker has opened its stream and said who it is.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Completes when the worker's stream has ended.</summary>
    public Task Closed => _closed.Task;

    public IReadOnlyList<RpcLog> Logs => [.. _logs];

    /// <summary>Sends <paramref name="message"/>; the answer is the worker's message with the same <paramref name="correlation"/> (see <see cref="CorrelationOf"/>).</summary>
    public Task<StreamingMessage> RequestAsync(StreamingMessage message, string correlation)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(correlation, answer))
        {
            throw new InvalidOperationException($"A request with correlation {correlation} is already waiting for the worker.");
        }

        if (_closed.Task.IsCompleted || !_outgoing.Writer.TryWrite(message))
        {
            _waiting.TryRemove(correlation, out _);
            throw new InvalidOperationException("The worker's event stream is closed.");
        }

        return answer.Task;
    }

    /// <summary>Sends a message that has no answer (terminate, cancel).</summary>
    public void Post(StreamingMessage message) => _outgoing.Writer.TryWrite(message);

    /// <summary>Serves one event stream until the worker or the host ends it.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> incoming, IServerStreamWriter<StreamingMessage> outgoing, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _connected, 1) == 1)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.AlreadyExists, "This test host serves one worker stream."));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = WriteAsync(outgoing, stop.Token);
        try
        {
            while (await incoming.MoveNext(stop.Token))
            {
                Receive(incoming.Current);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            _closed.TrySetResult();
            _started.TrySetException(new InvalidOperationException("The worker closed its event stream before it started."));
            foreach (var (key, waiting) in _waiting)
            {
                if (_waiting.TryRemove(key, out _))
                {
                    waiting.TrySetException(new InvalidOperationException($"The worker closed its event stream before it answered {key}."));
                }
            }

            await stop.CancelAsync();
            await writing;
        }
    }

    /// <summary>The key that ties a worker's answer to the request it answers.</summary>
    public static string? CorrelationOf(StreamingMessage message) => message.ContentCase switch
    {
        StreamingMessage.ContentOneofCase.WorkerInitResponse => "init",
        StreamingMessage.ContentOneofCase.FunctionMetadataResponse => "metadata",
        StreamingMessage.ContentOneofCase.WorkerStatusResponse => "status",
        StreamingMessage.ContentOneofCase.FunctionLoadResponse => LoadCorrelation(message.FunctionLoadResponse.FunctionId),
        StreamingMessage.ContentOneofCase.InvocationResponse => InvocationCorrelation(message.InvocationResponse.InvocationId),
        _ => null,
    };

    public static string LoadCorrelation(string functionId) => "load:" + functionId;

    public static string InvocationCorrelation(string invocationId) => "invocation:" + invocationId;

    private void Receive(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                return;
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Enqueue(message.RpcLog);
                while (_logs.Count > MaxLogs && _logs.TryDequeue(out _))
                {
                }

                return;
        }

        if (CorrelationOf(message) is { } correlation && _waiting.TryRemove(correlation, out var waiting))
        {
            waiting.TrySetResult(message);
        }
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> outgoing, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken))
            {
                await outgoing.WriteAsync(message, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stream has ended.
        }
        catch (InvalidOperationException)
        {
            // The call completed while a message was being written.
        }
    }
}

/// <summary>The gRPC service the worker connects to: FunctionRpc.EventStream, served by the host's one <see cref="WorkerConnection"/>.</summary>
internal sealed class FunctionRpcService(WorkerConnection connection) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        connection.RunAsync(requestStream, responseStream, context.CancellationToken);
}
