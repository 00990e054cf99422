using System;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Primeway.Engine.Docker
{
    /// <summary>Images already on the engine are used as they are; others are pulled, with progress.</summary>
    internal sealed class ImageStore
    {
        private readonly DockerClient client;

        public ImageStore(DockerClient client) => this.client = client;

        /// <summary>Returns the image reference to run once it is present on the engine.</summary>
        public async Task<string> EnsureAsync(string jobName, string image, IRunListener listener, CancellationToken cancellationToken)
        {
            if (await ExistsAsync(image, cancellationToken).ConfigureAwait(false)) return image;
            var (repository, tag) = SplitReference(image);
            listener.OnProgress("pulling " + repository + ":" + tag);
            string? error = null;
            var progress = new SyncProgress<JSONMessage>(m =>
            {
                if (!string.IsNullOrEmpty(m.ErrorMessage)) error = m.ErrorMessage;
                else if (!string.IsNullOrEmpty(m.Status))
                    listener.OnProgress((string.IsNullOrEmpty(m.ID) ? "" : m.ID + ": ") + m.Status + (string.IsNullOrEmpty(m.ProgressMessage) ? "" : " " + m.ProgressMessage));
            });
            try
            {
                await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, null, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                error = DockerBackend.EngineMessage(e);
            }
            if (error == null && !await ExistsAsync(image, cancellationToken).ConfigureAwait(false)) error = "the engine reported no error, but the image is still missing";
            if (error != null)
                throw new EngineException("job '" + jobName + "': docker_image '" + image + "' is not on this Docker engine and could not be pulled: "
                    + error.TrimEnd('.') + ". Fix the name, or make the image available (docker pull, docker load or docker build -t " + image + ").");
            return image;
        }

        public async Task<bool> ExistsAsync(string image, CancellationToken cancellationToken)
        {
            try
            {
                await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DockerImageNotFoundException)
            {
                return false;
            }
        }

        /// <summary>Splits "registry:5000/name:tag" into repository and tag (latest when none); a digest stays whole.</summary>
        internal static (string Repository, string Tag) SplitReference(string image)
        {
            if (image.Contains('@')) return (image, "");
            int slash = image.LastIndexOf('/');
            int colon = image.LastIndexOf(':');
            return colon > slash ? (image.Substring(0, colon), image.Substring(colon + 1)) : (image, "latest");
        }
    }
}
