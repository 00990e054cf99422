using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Primeway
{
    /// <summary>
    /// A command or argument list as a job file gives it: one string (shell form, run by a shell)
    /// or a list of strings (exec form, passed as they are).
    /// </summary>
    public sealed class CommandLine : IEquatable<CommandLine>
    {
        private CommandLine(string? text, IReadOnlyList<string>? items)
        {
            Text = text;
            Items = items;
        }

        /// <summary>The string form, or null for the list form.</summary>
        public string? Text { get; }

        /// <summary>The list form, or null for the string form.</summary>
        public IReadOnlyList<string>? Items { get; }

        public bool IsList => Items != null;

        public static CommandLine FromText(string text) => new CommandLine(text ?? throw new ArgumentNullException(nameof(text)), null);

        public static CommandLine FromList(IEnumerable<string> items) => new CommandLine(null, (items ?? throw new ArgumentNullException(nameof(items))).ToArray());

        /// <summary>The words this command stands for: the list as given, or the string split as a POSIX shell splits words.</summary>
        public IReadOnlyList<string> ToArguments() => Items ?? ShellWords.Split(Text!);

        public bool Equals(CommandLine? other)
        {
            if (other is null) return false;
            if (IsList != other.IsList) return false;
            return IsList ? Items!.SequenceEqual(other.Items!) : Text == other.Text;
        }

        public override bool Equals(object? obj) => Equals(obj as CommandLine);

        public override int GetHashCode() => IsList ? Items!.Aggregate(17, (h, s) => h * 31 + s.GetHashCode()) : Text!.GetHashCode();

        public override string ToString() => IsList ? string.Join(" ", Items!.Select(ShellWords.Quote)) : Text!;

        public static implicit operator CommandLine(string text) => FromText(text);
        public static implicit operator CommandLine(string[] items) => FromList(items);
    }

    /// <summary>POSIX-shell word splitting and quoting, enough for argument strings in job files.</summary>
    public static class ShellWords
    {
        public static IReadOnlyList<string> Split(string text)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            bool inWord = false;
            char quote = '\0';
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (quote == '\'')
                {
                    if (c == '\'') quote = '\0'; else word.Append(c);
                }
                else if (quote == '"')
                {
                    if (c == '"') quote = '\0';
                    else if (c == '\\' && i + 1 < text.Length && "\"\\$`".IndexOf(text[i + 1]) >= 0) word.Append(text[++i]);
                    else word.Append(c);
                }
                else if (c == '\'' || c == '"')
                {
                    quote = c;
                    inWord = true;
                }
                else if (c == '\\' && i + 1 < text.Length)
                {
                    word.Append(text[++i]);
                    inWord = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                else
                {
                    word.Append(c);
                    inWord = true;
                }
            }
            if (inWord) words.Add(word.ToString());
            return words;
        }

        public static string Quote(string word)
        {
            if (word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=,+@%".IndexOf(c) >= 0)) return word;
            return "'" + word.Replace("'", "'\\''") + "'";
        }
    }
}
