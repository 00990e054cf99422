using System.Management.Automation;
using System.Security;

namespace Primeway.PowerShell.Server
{
    /// <summary>Lets a SecureString parameter also take a plain string (as a token pasted or read from a variable).</summary>
    internal sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (!(value is string text)) return inputData;
            var secure = new SecureString();
            foreach (var c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}
