using System;
using System.Collections.Generic;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Primeway.Yaml
{
    /// <summary>A YAML node with the place it starts; what the job reader walks.</summary>
    internal abstract class YNode
    {
        protected YNode(SourcePosition position) => Position = position;
        public SourcePosition Position { get; }
        public abstract string KindName { get; }
    }

    internal sealed class YScalar : YNode
    {
        public YScalar(string value, ScalarStyle style, SourcePosition position) : base(position)
        {
            Value = value;
            Style = style;
        }

        public string Value { get; }
        public ScalarStyle Style { get; }
        public bool IsPlain => Style == ScalarStyle.Plain || Style == ScalarStyle.Any;
        public bool IsNull => IsPlain && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");
        public override string KindName => IsNull ? "nothing (null)" : "a single value";
    }

    internal sealed class YSequence : YNode
    {
        public YSequence(SourcePosition position) : base(position) { }
        public List<YNode> Items { get; } = new List<YNode>();
        public override string KindName => "a list";
    }

    internal sealed class YMapping : YNode
    {
        public YMapping(SourcePosition position) : base(position) { }
        public List<KeyValuePair<YNode, YNode>> Pairs { get; } = new List<KeyValuePair<YNode, YNode>>();
        public override string KindName => "a mapping";
    }

    /// <summary>One document of a YAML stream; Root is null for an empty document.</summary>
    internal sealed class YDocument
    {
        public YDocument(YNode? root, SourcePosition position)
        {
            Root = root;
            Position = position;
        }

        public YNode? Root { get; }
        public SourcePosition Position { get; }
    }

    /// <summary>Builds node trees from YamlDotNet's parser events, keeping every node's position.</summary>
    internal static class YamlTreeReader
    {
        /// <summary>
        /// Reads every document. A syntax error stops the reading: the documents completed before it are
        /// returned, and the error comes back with its position.
        /// </summary>
        public static List<YDocument> ReadAll(string text, out YamlException? syntaxError)
        {
            var documents = new List<YDocument>();
            syntaxError = null;
            var parser = new Parser(new System.IO.StringReader(text));
            try
            {
                parser.Consume<StreamStart>();
                while (parser.TryConsume<DocumentStart>(out var start))
                {
                    var anchors = new Dictionary<string, YNode>();
                    YNode? root = null;
                    if (!parser.Accept<DocumentEnd>(out _)) root = ReadNode(parser, anchors);
                    parser.Consume<DocumentEnd>();
                    documents.Add(new YDocument(root, At(start.Start)));
                }
                parser.Consume<StreamEnd>();
            }
            catch (YamlException e)
            {
                syntaxError = e;
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet's scanner throws this, not a YamlException, on some unclosed flow collections.
                var at = parser.Current?.End ?? Mark.Empty;
                syntaxError = new YamlException(at, at, "the YAML is malformed after this point: look for an unclosed [, { or quote");
            }
            return documents;
        }

        private static YNode ReadNode(IParser parser, Dictionary<string, YNode> anchors)
        {
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (anchors.TryGetValue(alias.Value.Value, out var target)) return target;
                throw new YamlException(alias.Start, alias.End, "the alias *" + alias.Value.Value + " refers to no anchor defined before it");
            }
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                var node = new YScalar(scalar.Value, scalar.Style, At(scalar.Start));
                Remember(anchors, scalar.Anchor, node);
                return node;
            }
            if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                var node = new YSequence(At(sequenceStart.Start));
                Remember(anchors, sequenceStart.Anchor, node);
                while (!parser.TryConsume<SequenceEnd>(out _)) node.Items.Add(ReadNode(parser, anchors));
                return node;
            }
            if (parser.TryConsume<MappingStart>(out var mappingStart))
            {
                var node = new YMapping(At(mappingStart.Start));
                Remember(anchors, mappingStart.Anchor, node);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = ReadNode(parser, anchors);
                    var value = ReadNode(parser, anchors);
                    node.Pairs.Add(new KeyValuePair<YNode, YNode>(key, value));
                }
                return node;
            }
            var current = parser.Current!;
            throw new YamlException(current.Start, current.End, "unexpected " + current.GetType().Name);
        }

        private static void Remember(Dictionary<string, YNode> anchors, AnchorName anchor, YNode node)
        {
            if (!anchor.IsEmpty) anchors[anchor.Value] = node;
        }

        public static SourcePosition At(Mark mark) => new SourcePosition((int)mark.Line, (int)mark.Column);
    }
}
