using System;
using System.Management.Automation.Host;

namespace Primeway.Host.Scripting
{
    /// <summary>A fixed-width text surface: enough for the formatter to lay out tables; no cursor, no keys.</summary>
    internal sealed class ScriptHostRawUserInterface : PSHostRawUserInterface
    {
        public ScriptHostRawUserInterface(int width)
        {
            BufferSize = new Size(width, int.MaxValue / 2);
            WindowSize = new Size(width, 50);
            MaxWindowSize = WindowSize;
            MaxPhysicalWindowSize = WindowSize;
        }

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get; set; }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize { get; }
        public override Size MaxWindowSize { get; }
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; }
        public override string WindowTitle { get; set; } = "primeway";

        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException("primeway's host has no screen buffer.");
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("primeway runs scripts non-interactively and cannot read keys.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
