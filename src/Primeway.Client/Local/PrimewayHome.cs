using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Primeway
{
    /// <summary>
    /// Where Primeway keeps per-user state: ~/.primeway, or PRIMEWAY_HOME when set. The saved connection
    /// (connection.json) and the local server (local/) live here, readable by the user only.
    /// </summary>
    public static class PrimewayHome
    {
        public const string HomeVariable = "PRIMEWAY_HOME";

        public static string Directory
        {
            get
            {
                var fromEnvironment = Environment.GetEnvironmentVariable(HomeVariable);
                return !string.IsNullOrEmpty(fromEnvironment)
                    ? Path.GetFullPath(fromEnvironment)
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".primeway");
            }
        }

        public static string ConnectionFile => Path.Combine(Directory, "connection.json");

        /// <summary>The local server's data directory: its database, logs, admin token and server.json.</summary>
        public static string LocalServerDirectory => Path.Combine(Directory, "local");

        /// <summary>Creates the folder (and its parents) with mode 0700 on Unix.</summary>
        public static void CreateOwnerOnlyDirectory(string path)
        {
            System.IO.Directory.CreateDirectory(path);
            OwnerOnly.Restrict(path, directory: true);
        }

        /// <summary>Writes a file that may hold a secret: created empty, restricted to 0600, then filled.</summary>
        public static void WriteOwnerOnlyFile(string path, string content)
        {
            var temporary = path + ".tmp";
            using (File.Create(temporary)) { }
            OwnerOnly.Restrict(temporary, directory: false);
            File.WriteAllText(temporary, content, new UTF8Encoding(false));
            if (File.Exists(path)) File.Delete(path);
            File.Move(temporary, path);
        }

        /// <summary>chmod through libc: netstandard2.0 has no API for Unix file modes. On Windows the profile's ACL already keeps others out.</summary>
        internal static class OwnerOnly
        {
            [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
            private static extern int Chmod(string path, int mode);

            public static void Restrict(string path, bool directory)
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
                if (Chmod(path, directory ? 0x1C0 /* 0700 */ : 0x180 /* 0600 */) != 0)
                    throw new IOException("Could not make " + path + " readable by its owner only (errno " + Marshal.GetLastWin32Error() + ").");
            }
        }
    }
}
