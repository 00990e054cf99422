namespace Primeway.Host
{
    /// <summary>The exit codes of primeway's verbs; scripts and CI depend on them.</summary>
    public static class ExitCodes
    {
        public const int Success = 0;
        /// <summary>validate: at least one job is invalid.</summary>
        public const int Invalid = 1;
        /// <summary>Bad command line, or a file or folder that cannot be read.</summary>
        public const int UsageOrIo = 2;
    }
}
