using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Primeway
{
    /// <summary>A server address and token kept in the user's profile (connection.json, mode 0600) by Connect-PrimewayServer -Save.</summary>
    public sealed class SavedConnection
    {
        [JsonPropertyName("server")] public string Server { get; set; } = "";
        [JsonPropertyName("token")] public string? Token { get; set; }

        public static SavedConnection? Load(string? path = null)
        {
            path ??= PrimewayHome.ConnectionFile;
            if (!File.Exists(path)) return null;
            try
            {
                var saved = JsonSerializer.Deserialize<SavedConnection>(File.ReadAllText(path));
                return saved != null && Uri.TryCreate(saved.Server, UriKind.Absolute, out _) ? saved : null;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException("The saved connection " + path + " is not valid JSON (" + e.Message + "). Save it again with Connect-PrimewayServer -Save, or delete it.", e);
            }
        }

        public void Save(string? path = null)
        {
            path ??= PrimewayHome.ConnectionFile;
            PrimewayHome.CreateOwnerOnlyDirectory(Path.GetDirectoryName(path)!);
            PrimewayHome.WriteOwnerOnlyFile(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
        }

        /// <summary>Deletes the saved connection; returns whether there was one.</summary>
        public static bool Delete(string? path = null)
        {
            path ??= PrimewayHome.ConnectionFile;
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
    }
}
