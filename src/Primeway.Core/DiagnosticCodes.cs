namespace Primeway
{
    /// <summary>
    /// Every diagnostic code. Codes are a contract: scripts and CI filters match on them, so a code is never
    /// reused for another meaning. PW1xxx are errors, PW2xxx warnings.
    /// </summary>
    public static class DiagnosticCodes
    {
        // The rules of the job document.
        public const string InvalidJobType = "PW1001";
        public const string ProjectDirNeedsEntry = "PW1002";
        public const string DeployNeedsPortAndHealth = "PW1003";
        public const string UnknownGpuType = "PW1004";
        public const string GpuCountOutOfRange = "PW1005";

        // The file's shape.
        public const string YamlSyntax = "PW1010";
        public const string NotAMapping = "PW1011";
        public const string UnknownField = "PW1012";
        public const string WrongType = "PW1013";
        public const string DuplicateField = "PW1014";
        public const string AliasConflict = "PW1015";
        public const string FileNotReadable = "PW1016";

        // What a careful user expects besides.
        public const string RequiredField = "PW1020";
        public const string InvalidJobName = "PW1021";
        public const string NotPositive = "PW1022";
        public const string PortOutOfRange = "PW1023";
        public const string HealthEndpointNotPath = "PW1024";
        public const string InvalidEnvName = "PW1025";
        public const string DuplicateEnvName = "PW1026";
        public const string IncompleteEnvItem = "PW1027";
        public const string InvalidScheduleExpression = "PW1028";
        public const string ScheduleEndBeforeStart = "PW1029";
        public const string InvalidScheduleWindow = "PW1030";
        public const string ProjectDirNotFound = "PW1031";
        public const string EntryScriptNotFound = "PW1032";
        public const string EmptyValue = "PW1033";
        public const string DuplicateJobName = "PW1034";
        public const string InvalidTimezone = "PW1035";
        public const string InvalidGatewayAuth = "PW1036";

        // Pipelines
        public const string DuplicateStepId = "PW1050";
        public const string UnknownStep = "PW1051";
        public const string StepCycle = "PW1052";
        public const string DeployStepNotLast = "PW1053";
        public const string InvalidStepId = "PW1054";

        // Warnings.
        public const string EntryScriptAndArgs = "PW2001";
        public const string RequirementsWithoutProject = "PW2002";
        public const string DeployFieldOnRunJob = "PW2003";
        public const string LiteralApiToken = "PW2004";
        public const string EmptyDocument = "PW2005";
    }
}
