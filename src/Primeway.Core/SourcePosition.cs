namespace Primeway
{
    /// <summary>A place in a job file: 1-based line and column.</summary>
    public readonly struct SourcePosition
    {
        public SourcePosition(int line, int column)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }
        public int Column { get; }
        public bool IsKnown => Line > 0;

        public override string ToString() => IsKnown ? Line + ":" + Column : "";
    }
}
