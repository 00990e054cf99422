@{
    # The cmdlet assembly and its files are laid out in module/ by the build (dotnet build).
    RootModule           = 'module/Primeway.PowerShell.dll'
    ModuleVersion = '0.1.0'
    GUID                 = '5f0e7c7a-3a5e-4d0b-9c6f-2a6d1b0e8f41'
    Author               = 'Primeway'
    CompanyName          = 'Primeway'
    Copyright            = 'Copyright (c) Primeway'
    Description          = 'Primeway for PowerShell: describe compute jobs (run once, or deploy as HTTP services) in YAML, then build, validate and export them as typed objects through the pipeline, and run them on a Primeway server (a local one is started on demand).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('module/Primeway.Format.ps1xml')
    TypesToProcess       = @('module/Primeway.Types.ps1xml')
    CmdletsToExport      = @('New-PrimewayJob', 'Test-PrimewayJob', 'Export-PrimewayJob',
                             'Connect-PrimewayServer', 'Disconnect-PrimewayServer',
                             'Start-PrimewayJob', 'Get-PrimewayJob', 'Wait-PrimewayJob', 'Receive-PrimewayJob', 'Stop-PrimewayJob', 'Remove-PrimewayJob',
                             'New-PrimewayPipeline', 'Test-PrimewayPipeline', 'Start-PrimewayPipeline', 'Get-PrimewayPipeline', 'Save-PrimewayArtifact')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Primeway', 'Jobs', 'YAML', 'Docker', 'GPU', 'Deploy', 'PSEdition_Core', 'PSEdition_Desktop')
            ProjectUri = 'https://github.com/primeway/primeway-powershell'
            LicenseUri = 'https://github.com/primeway/primeway-powershell/blob/main/LICENSE'
        }
    }
}
