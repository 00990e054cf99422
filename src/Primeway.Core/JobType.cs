namespace Primeway
{
    /// <summary>What a job is: executed once, or kept up as an HTTP service.</summary>
    public enum JobType
    {
        /// <summary>Executed once and finished (training, batch work).</summary>
        Run,
        /// <summary>A long-lived HTTP service with a port and a health endpoint.</summary>
        Deploy,
    }
}
