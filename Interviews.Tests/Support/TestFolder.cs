using Microsoft.Data.Sqlite;

namespace Interviews.Tests.Support;

/// <summary>
/// A folder of one test's own, created now under the temporary folder (<c>TMPDIR</c>) and deleted with
/// everything in it when disposed — SQLite files, their WAL, the Data Protection key ring beside them —
/// so that no test depends on another having made a folder first, or sees another's files.
/// </summary>
public sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "interviews-tests", Guid.NewGuid().ToString("N"))).FullName;
    }

    public string Path { get; }

    /// <summary>The path of <paramref name="name"/> in this folder (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A SQLite file's path in this folder (not created).</summary>
    public string Database(string name = "interviews.db") => File(name);

    public void Dispose()
    {
        for (var attempt = 1; ; attempt++)
        {
            // Pooled connections keep the files open.
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                // Deleted already (a test that removed its own folder).
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // "Directory not empty": a file was created in it while it was being deleted (a host's last
                // write on a loaded machine, a WAL checkpoint). Deleting again removes what came late.
                Thread.Sleep(50 * attempt);
            }
        }
    }
}
