<#
.SYNOPSIS
    Sends this device's PatchPulse report (schema patchpulse.device-report/1) to a PatchPulse collector.

.DESCRIPTION
    Gathers what PatchPulse needs to explain Windows Recovery Environment (WinRE) update failures such as
    KB5034441 / 0x80070643 on this device, and POSTs it as one JSON object to <CollectorUrl>/v1/device-reports:

      os               Win32_OperatingSystem caption and version, registry DisplayVersion and UBR
      reagentc         raw text of 'reagentc.exe /info'
      partitions       every partition (Get-Partition): disk, number, type, GPT/MBR type, size, offset
      recoveryVolume   size and free space of the partition reagentc points at (Get-Volume)
      bitlocker        Get-BitLockerVolume of the OS volume (key protector TYPES only), or, when that cmdlet is
      manageBde          unavailable or fails, the raw text of 'manage-bde -status <system drive>'
      winreVersion     registry WinREVersion
      winrePatchScript registry PushButtonReset\WinREPathScriptSucceed (set by the KB5034957 scripts)
      rebootPending    CBS RebootPending, Windows Update RebootRequired, PendingFileRenameOperations
      events           System log events of Microsoft-Windows-WindowsUpdateClient (19, 20, 43, 44) and
                       Microsoft-Windows-WinREAgent (4500-4504) since the last successful send (first run:
                       the last -LookbackDays days)

    Every part is collected on its own: a part that fails is sent as null and the reason goes to the local log
    file (-LogPath) and the warning stream, never into the report. Raw command output is sent as it is (it may be
    localized); the collector parses it.

    Nothing secret is collected: no BitLocker recovery password, key or key id leaves the device, only the key
    protector types (Tpm, TpmPin, RecoveryPassword, ...). The host name is sent; the collector replaces it with a
    keyed hash at its edge.

    Runs on Windows PowerShell 5.1 and PowerShell 7, with the modules that ship with Windows 10/11 (Storage,
    BitLocker). Run it as SYSTEM or as an administrator: reagentc, manage-bde, Get-BitLockerVolume and parts of the
    registry need it. In a 32-bit PowerShell on 64-bit Windows it still reads the 64-bit registry and the 64-bit
    tools (through Sysnative).

    Exit codes:
      0  the report was sent and accepted (or -DryRun printed it)
      1  the collector rejected the report: an HTTP 4xx other than 408/429 (for example 400 malformed,
         401/403 bad token, 413 too large), or a 2xx answer that counts the report as rejected.
         The problem detail (RFC 9457) is printed.
      2  the collector could not be reached, or kept answering 408/429/5xx, after -MaxAttempts attempts
         (or asked to retry later than 5 minutes from now). The next scheduled run tries again.
      3  nothing was sent because of a problem on this device: no collector URL, no token, an insecure URL,
         or an unexpected error (see the log).

.PARAMETER CollectorUrl
    Base address of the PatchPulse collector, for example https://collector.example.com:8080. The report goes to
    <CollectorUrl>/v1/device-reports. Must be https (plain http is accepted only for a loopback address, or with
    -AllowHttp). Intune cannot pass parameters to scripts: for Intune, set the default value in the param block.

.PARAMETER TokenPath
    File holding the bearer token (the first line; surrounding whitespace is ignored). Default:
    %ProgramData%\PatchPulse\token. Keep it readable by SYSTEM and Administrators only; the script logs a warning
    when Everyone, Users, Authenticated Users, Interactive or Guests may read it.

.PARAMETER Token
    The bearer token itself, instead of -TokenPath. Prefer -TokenPath: a token on a command line can be seen by
    other processes and ends up in process-creation logs.

.PARAMETER StatePath
    JSON file that remembers the last successful send, so that the next run only reads newer events. Default:
    %ProgramData%\PatchPulse\state.json. Not written by -DryRun. Delete it to resend the last -LookbackDays days.

.PARAMETER DryRun
    Gather the report and print the JSON that would be sent (exactly, one line) to standard output; send nothing,
    need no URL or token, and leave the state file alone.

.PARAMETER TimeoutSec
    Timeout of one HTTP attempt, in seconds. Default 60.

.PARAMETER MaxAttempts
    HTTP attempts before giving up with exit code 2. Retries happen on network errors, 408, 429 and 5xx, with
    exponential backoff (about 10 s, 20 s, 40 s, ... with jitter, at most 300 s), or after the Retry-After the
    collector sent. Default 5.

.PARAMETER LookbackDays
    How far back to read events when there is no state yet. Default 14.

.PARAMETER MaxEvents
    Most events sent in one report, oldest first; the rest follow on the next run. Default 1000.

.PARAMETER LogPath
    Local log file (UTF-8, rotated at 1 MB to <LogPath>.1). Default: %ProgramData%\PatchPulse\agent.log. When
    run elevated and %ProgramData%\PatchPulse does not exist, it is created readable by SYSTEM and Administrators
    only.

.PARAMETER Proxy
    Optional HTTP proxy URI, for example http://proxy.example.com:3128 (used with the machine account's default
    credentials).

.PARAMETER AllowHttp
    Allow a plain-http CollectorUrl that is not a loopback address. Only for a lab: the token would travel in
    clear text.

.EXAMPLE
    .\Send-PatchPulseReport.ps1 -DryRun

    Prints the report this device would send. Run it from an elevated PowerShell to see every part.

.EXAMPLE
    .\Send-PatchPulseReport.ps1 -DryRun | ConvertFrom-Json | Select-Object -ExpandProperty partitions | Format-Table

    Looks at one part of the report.

.EXAMPLE
    .\Send-PatchPulseReport.ps1 -CollectorUrl https://collector.example.com:8080 -Verbose

    Sends the report with the token from %ProgramData%\PatchPulse\token and shows what it does.

.EXAMPLE
    powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\Program Files\PatchPulse\Send-PatchPulseReport.ps1" -CollectorUrl https://collector.example.com:8080

    The command line a scheduled task runs as SYSTEM (see Register-PatchPulseTask.ps1 and README.md).

.NOTES
    Contract: patchpulse.device-report/1 (README.md beside this script has the field table).
#>
#Requires -Version 5.1
[CmdletBinding(DefaultParameterSetName = 'TokenFile')]
param(
    # Intune platform scripts and remediations cannot pass parameters: put the collector address here for them.
    [string] $CollectorUrl = '',

    [Parameter(ParameterSetName = 'TokenFile')]
    [string] $TokenPath = (Join-Path $env:ProgramData 'PatchPulse\token'),

    [Parameter(ParameterSetName = 'TokenValue', Mandatory = $true)]
    [string] $Token,

    [string] $StatePath = (Join-Path $env:ProgramData 'PatchPulse\state.json'),

    [switch] $DryRun,

    [ValidateRange(5, 600)]
    [int] $TimeoutSec = 60,

    [ValidateRange(1, 10)]
    [int] $MaxAttempts = 5,

    [ValidateRange(1, 365)]
    [int] $LookbackDays = 14,

    [ValidateRange(10, 100000)]
    [int] $MaxEvents = 1000,

    [string] $LogPath = (Join-Path $env:ProgramData 'PatchPulse\agent.log'),

    [string] $Proxy = '',

    [switch] $AllowHttp
)

$ErrorActionPreference = 'Stop'
# Read here: inside a function, $PSBoundParameters and $PSCmdlet are that function's own.
$script:TokenGiven = $PSBoundParameters.ContainsKey('Token')
$ProgressPreference = 'SilentlyContinue'   # Windows PowerShell's progress bar slows Invoke-RestMethod down

$script:Schema = 'patchpulse.device-report/1'
$script:AgentVersion = '1.0.0'
$script:ExitCode = 3
$script:LogFile = $null
$script:MaxRetryWaitSec = 300
$script:EventOverlapMinutes = 10
$script:UpdateProviders = @('Microsoft-Windows-WindowsUpdateClient', 'Microsoft-Windows-WinREAgent')
$script:UpdateEventIds = @(19, 20, 43, 44, 4500, 4501, 4502, 4503, 4504)
$script:SecuredDirectory = Join-Path $env:ProgramData 'PatchPulse'

# ---------------------------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------------------------

function Write-AgentLog {
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('INFO', 'WARN', 'ERROR')]
        [string] $Level,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Message
    )
    if ($Level -eq 'INFO') {
        Write-Verbose $Message
    }
    else {
        Write-Warning $Message
    }
    if ([string]::IsNullOrEmpty($script:LogFile)) {
        return
    }
    try {
        $existing = Get-Item -LiteralPath $script:LogFile -ErrorAction SilentlyContinue
        if ($null -ne $existing -and $existing.Length -gt 1048576) {
            Move-Item -LiteralPath $script:LogFile -Destination ($script:LogFile + '.1') -Force
        }
        $line = '{0} {1} {2}{3}' -f (Get-Date).ToString('o'), $Level, $Message, [Environment]::NewLine
        [System.IO.File]::AppendAllText($script:LogFile, $line, (New-Object System.Text.UTF8Encoding($false)))
    }
    catch {
        # A log that cannot be written must not stop the report.
    }
}

function Write-PartWarning {
    param(
        [string] $Part,
        [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    Write-AgentLog -Level WARN -Message ("{0}: left null: {1}" -f $Part, $ErrorRecord.Exception.Message)
}

function Test-Elevated {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

# Creates %ProgramData%\PatchPulse readable by SYSTEM and Administrators only (token, state and log live there; a
# folder that users can write to would let them plant files that SYSTEM later reads or overwrites).
function Initialize-AgentDirectory {
    param([string] $Path)
    if ([string]::IsNullOrEmpty($Path) -or (Test-Path -LiteralPath $Path -PathType Container)) {
        return
    }
    if (-not (Test-Elevated)) {
        return
    }
    $null = New-Item -ItemType Directory -Path $Path -Force
    $acl = [System.Security.AccessControl.DirectorySecurity]::new()
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = [System.Security.Principal.SecurityIdentifier]::new($sid)
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new(
            $identity,
            [System.Security.AccessControl.FileSystemRights]::FullControl,
            ([System.Security.AccessControl.InheritanceFlags]::ContainerInherit -bor [System.Security.AccessControl.InheritanceFlags]::ObjectInherit),
            [System.Security.AccessControl.PropagationFlags]::None,
            [System.Security.AccessControl.AccessControlType]::Allow)
        $acl.AddAccessRule($rule)
    }
    Set-Acl -LiteralPath $Path -AclObject $acl
}

function Initialize-Log {
    param([string] $Path)
    if ([string]::IsNullOrEmpty($Path)) {
        return
    }
    try {
        $directory = Split-Path -Parent $Path
        if ($directory -eq $script:SecuredDirectory) {
            Initialize-AgentDirectory -Path $directory
        }
        if (Test-Path -LiteralPath $directory -PathType Container) {
            $script:LogFile = $Path
        }
    }
    catch {
        $script:LogFile = $null
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------------

function ConvertTo-NullableString {
    param($Value)
    if ($null -eq $Value) {
        return $null
    }
    return [string]$Value
}

function ConvertTo-NullableInt64 {
    param($Value)
    if ($null -eq $Value) {
        return $null
    }
    return [int64]$Value
}

# One event data value as a JSON scalar: numbers and strings as they are, everything else as invariant text.
function ConvertTo-JsonScalar {
    param($Value)
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [string] -or $Value -is [bool]) {
        return $Value
    }
    if ($Value -is [datetime]) {
        return $Value.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
    }
    if ($Value -is [byte[]]) {
        return [System.BitConverter]::ToString($Value).Replace('-', '')
    }
    if ($Value -is [System.Array]) {
        return (@($Value | ForEach-Object { [string]$_ }) -join "`n")
    }
    $code = [System.Type]::GetTypeCode($Value.GetType())
    if ($code -ge [System.TypeCode]::SByte -and $code -le [System.TypeCode]::Decimal) {
        return $Value
    }
    return [string]$Value
}

# The 64-bit registry view on 64-bit Windows, also from a 32-bit PowerShell (which would otherwise read
# SOFTWARE\WOW6432Node, where WinREVersion and friends are missing).
function Open-MachineRegistry {
    $view = [Microsoft.Win32.RegistryView]::Default
    if ([Environment]::Is64BitOperatingSystem) {
        $view = [Microsoft.Win32.RegistryView]::Registry64
    }
    return [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $view)
}

function Get-MachineRegistryValue {
    param(
        [string] $SubKey,
        [string] $Name
    )
    $base = Open-MachineRegistry
    try {
        $key = $base.OpenSubKey($SubKey)
        if ($null -eq $key) {
            return $null
        }
        try {
            # The leading comma keeps a REG_MULTI_SZ (string[]) in one piece.
            return , ($key.GetValue($Name))
        }
        finally {
            $key.Close()
        }
    }
    finally {
        $base.Close()
    }
}

function Test-MachineRegistryKey {
    param([string] $SubKey)
    $base = Open-MachineRegistry
    try {
        $key = $base.OpenSubKey($SubKey)
        if ($null -eq $key) {
            return $false
        }
        $key.Close()
        return $true
    }
    finally {
        $base.Close()
    }
}

# System32 tools, through Sysnative when a 32-bit PowerShell runs on 64-bit Windows (reagentc.exe has no
# 32-bit build).
function Get-SystemToolPath {
    param([string] $FileName)
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
        $sysnative = Join-Path (Join-Path $env:SystemRoot 'Sysnative') $FileName
        if (Test-Path -LiteralPath $sysnative) {
            return $sysnative
        }
    }
    return (Join-Path (Join-Path $env:SystemRoot 'System32') $FileName)
}

# Runs a console tool and returns its output (standard output and error, in order) as one text.
function Invoke-SystemTool {
    param(
        [string] $FileName,
        [string[]] $Arguments
    )
    $path = Get-SystemToolPath -FileName $FileName
    if (-not (Test-Path -LiteralPath $path)) {
        throw "$FileName was not found at $path"
    }
    # Windows PowerShell turns redirected standard error into error records: with 'Stop' the first one would
    # abort the call.
    $ErrorActionPreference = 'Continue'
    $lines = & $path @Arguments 2>&1 | ForEach-Object { [string]$_ }
    $exitCode = $LASTEXITCODE
    return [pscustomobject]@{
        Text     = (@($lines) -join "`r`n")
        ExitCode = $exitCode
    }
}

# ---------------------------------------------------------------------------------------------------------------
# The parts of the report
# ---------------------------------------------------------------------------------------------------------------

function Get-OsInfo {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem -Property @('Caption', 'Version') -ErrorAction Stop
    $currentVersion = 'SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    $displayVersion = Get-MachineRegistryValue -SubKey $currentVersion -Name 'DisplayVersion'
    if ([string]::IsNullOrEmpty($displayVersion)) {
        # Windows 10 before 20H2 has ReleaseId (2004, 1909, ...) only.
        $displayVersion = Get-MachineRegistryValue -SubKey $currentVersion -Name 'ReleaseId'
    }
    $ubr = Get-MachineRegistryValue -SubKey $currentVersion -Name 'UBR'
    $caption = $null
    if ($null -ne $os.Caption) {
        $caption = ([string]$os.Caption).Trim()
    }
    return [ordered]@{
        caption        = $caption
        version        = ConvertTo-NullableString $os.Version
        displayVersion = ConvertTo-NullableString $displayVersion
        ubr            = ConvertTo-NullableInt64 $ubr
    }
}

function Get-ReagentcInfo {
    $result = Invoke-SystemTool -FileName 'ReAgentc.exe' -Arguments @('/info')
    if ($result.ExitCode -ne 0) {
        # The text is still sent: it says why ('Operation failed' and the reason); the collector reads it.
        Write-AgentLog -Level WARN -Message "reagentc: exit code $($result.ExitCode)"
    }
    return $result.Text
}

function Get-PartitionList {
    $partitionErrors = $null
    $partitions = @(Get-Partition -ErrorAction SilentlyContinue -ErrorVariable partitionErrors)
    foreach ($problem in @($partitionErrors)) {
        Write-AgentLog -Level WARN -Message "partitions: $problem"
    }
    if ($partitions.Count -eq 0 -and @($partitionErrors).Count -gt 0) {
        throw "Get-Partition returned nothing: $(@($partitionErrors)[0])"
    }
    foreach ($partition in ($partitions | Sort-Object -Property @('DiskNumber', 'Offset'))) {
        [ordered]@{
            DiskNumber      = ConvertTo-NullableInt64 $partition.DiskNumber
            PartitionNumber = ConvertTo-NullableInt64 $partition.PartitionNumber
            Type            = ConvertTo-NullableString $partition.Type
            GptType         = ConvertTo-NullableString $partition.GptType
            MbrType         = ConvertTo-NullableInt64 $partition.MbrType
            Size            = ConvertTo-NullableInt64 $partition.Size
            Offset          = ConvertTo-NullableInt64 $partition.Offset
        }
    }
}

# Size and free space of the partition that reagentc's 'Windows RE location' names
# (\\?\GLOBALROOT\device\harddisk0\partition4\Recovery\WindowsRE): the label is localized, the path is not.
# The path must end in the WindowsRE folder: reagentc may also list a push-button reset 'Recovery image location'
# on another partition, which must not be taken for WinRE's (for example when WinRE is disabled and its own
# location is empty).
function Get-RecoveryVolume {
    param([string] $ReagentcText)
    if ([string]::IsNullOrEmpty($ReagentcText)) {
        return $null
    }
    $match = [regex]::Match($ReagentcText, '(?im)\\harddisk(\d+)\\partition(\d+)\\[^\r\n]*\\WindowsRE\\?\s*$')
    if (-not $match.Success) {
        Write-AgentLog -Level INFO -Message 'recoveryVolume: reagentc names no WinRE location (WinRE disabled?)'
        return $null
    }
    $diskNumber = [int]$match.Groups[1].Value
    $partitionNumber = [int]$match.Groups[2].Value
    $volume = @(Get-Partition -DiskNumber $diskNumber -PartitionNumber $partitionNumber -ErrorAction Stop |
            Get-Volume -ErrorAction Stop) | Select-Object -First 1
    if ($null -eq $volume) {
        throw "no volume on disk $diskNumber partition $partitionNumber"
    }
    return [ordered]@{
        Size          = ConvertTo-NullableInt64 $volume.Size
        SizeRemaining = ConvertTo-NullableInt64 $volume.SizeRemaining
    }
}

# The OS volume's BitLocker state. Only the key protector TYPES are kept: never a recovery password, key, key id
# or thumbprint.
function Get-BitLockerSummary {
    $volume = Get-BitLockerVolume -MountPoint $env:SystemDrive -ErrorAction Stop | Select-Object -First 1
    if ($null -eq $volume) {
        throw "Get-BitLockerVolume returned nothing for $env:SystemDrive"
    }
    $protectors = New-Object 'System.Collections.Generic.List[object]'
    foreach ($protector in @($volume.KeyProtector)) {
        if ($null -eq $protector) {
            continue
        }
        $protectors.Add([ordered]@{ KeyProtectorType = ConvertTo-NullableString $protector.KeyProtectorType })
    }
    $percentage = $null
    if ($null -ne $volume.EncryptionPercentage) {
        $percentage = [Math]::Round([double]$volume.EncryptionPercentage, 1)
    }
    # Enums as their names (FullyEncrypted, On, XtsAes128, ...): the same text from PowerShell 5.1 and 7.
    return [ordered]@{
        MountPoint           = ConvertTo-NullableString $volume.MountPoint
        VolumeStatus         = ConvertTo-NullableString $volume.VolumeStatus
        ProtectionStatus     = ConvertTo-NullableString $volume.ProtectionStatus
        EncryptionMethod     = ConvertTo-NullableString $volume.EncryptionMethod
        EncryptionPercentage = $percentage
        KeyProtector         = $protectors.ToArray()
    }
}

function Get-ManageBdeStatus {
    $result = Invoke-SystemTool -FileName 'manage-bde.exe' -Arguments @('-status', $env:SystemDrive)
    if ($result.ExitCode -ne 0) {
        throw "manage-bde -status exited with $($result.ExitCode): $($result.Text)"
    }
    # 'manage-bde -status' lists protector types only. Should a recovery password (8 groups of 6 digits) ever
    # appear, it is blanked out before anything leaves the device.
    return ($result.Text -replace '\d{6}(-\d{6}){7}', '<redacted>')
}

function Get-RebootPending {
    $checks = @(
        { Test-MachineRegistryKey -SubKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending' },
        { Test-MachineRegistryKey -SubKey 'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired' },
        {
            $renames = Get-MachineRegistryValue -SubKey 'SYSTEM\CurrentControlSet\Control\Session Manager' -Name 'PendingFileRenameOperations'
            @($renames | Where-Object { -not [string]::IsNullOrEmpty($_) }).Count -gt 0
        }
    )
    $unknown = $false
    foreach ($check in $checks) {
        try {
            if (& $check) {
                return $true
            }
        }
        catch {
            $unknown = $true
            Write-AgentLog -Level WARN -Message "rebootPending: one check failed: $($_.Exception.Message)"
        }
    }
    if ($unknown) {
        return $null
    }
    return $false
}

# Windows Update client and WinREAgent events of the System log since $Since, oldest first, at most $MaxEvents.
# The query is the XPath that Get-WinEvent -FilterHashtable @{LogName='System'; ProviderName=...; Id=...;
# StartTime=...} builds, written out: -FilterHashtable first looks the provider names up in the registered
# publishers' metadata and drops (with only an error) a provider not registered for the System log; the XPath
# matches the events by name whatever is registered.
function Get-UpdateEvents {
    param(
        [DateTimeOffset] $Since,
        [int] $Limit
    )
    $sinceUtc = $Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
    $providerFilter = (@($script:UpdateProviders | ForEach-Object { "@Name='$_'" })) -join ' or '
    $idFilter = (@($script:UpdateEventIds | ForEach-Object { "EventID=$_" })) -join ' or '
    $xpath = "*[System[Provider[$providerFilter] and ($idFilter) and TimeCreated[@SystemTime>='$sinceUtc']]]"

    $readErrors = $null
    $records = @(Get-WinEvent -LogName 'System' -FilterXPath $xpath -Oldest -MaxEvents $Limit `
            -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    # 'No events were found' is an error for Get-WinEvent, an empty list for us.
    $problems = @(@($readErrors) | Where-Object { $null -ne $_ -and [string]$_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*' })
    foreach ($problem in $problems) {
        Write-AgentLog -Level WARN -Message "events: $problem"
    }
    if ($records.Count -eq 0 -and $problems.Count -gt 0) {
        throw "Get-WinEvent failed: $($problems[0])"
    }

    $events = New-Object 'System.Collections.Generic.List[object]'
    $newest = $null
    foreach ($record in $records) {
        $values = New-Object 'System.Collections.Generic.List[object]'
        foreach ($property in @($record.Properties)) {
            if ($null -eq $property) {
                continue
            }
            $values.Add((ConvertTo-JsonScalar -Value $property.Value))
        }
        $timeCreated = $null
        if ($null -ne $record.TimeCreated) {
            $timeCreated = $record.TimeCreated.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
            $newest = [DateTimeOffset]$record.TimeCreated
        }
        $events.Add([ordered]@{
                Id           = ConvertTo-NullableInt64 $record.Id
                ProviderName = ConvertTo-NullableString $record.ProviderName
                ProviderId   = ConvertTo-NullableString $record.ProviderId
                RecordId     = ConvertTo-NullableInt64 $record.RecordId
                TimeCreated  = $timeCreated
                MachineName  = ConvertTo-NullableString $record.MachineName
                Message      = ConvertTo-NullableString $record.Message
                Properties   = $values.ToArray()
            })
    }
    return [pscustomobject]@{
        Events    = $events.ToArray()
        Truncated = ($records.Count -ge $Limit)
        Newest    = $newest
    }
}

# ---------------------------------------------------------------------------------------------------------------
# State (event window) and token
# ---------------------------------------------------------------------------------------------------------------

function Read-EventsSince {
    param([string] $Path)
    if ([string]::IsNullOrEmpty($Path) -or -not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        return $null
    }
    $state = [System.IO.File]::ReadAllText($Path) | ConvertFrom-Json
    $value = $state.eventsSince
    if ($null -eq $value) {
        return $null
    }
    if ($value -is [datetime]) {
        # PowerShell 7's ConvertFrom-Json turns ISO-8601 strings into DateTime itself.
        return [DateTimeOffset]$value
    }
    return [DateTimeOffset]::Parse([string]$value, [System.Globalization.CultureInfo]::InvariantCulture)
}

function Write-State {
    param(
        [string] $Path,
        [DateTimeOffset] $EventsSince,
        [DateTimeOffset] $SentAt
    )
    $directory = Split-Path -Parent $Path
    if ($directory -eq $script:SecuredDirectory) {
        Initialize-AgentDirectory -Path $directory
    }
    if (-not [string]::IsNullOrEmpty($directory) -and -not (Test-Path -LiteralPath $directory -PathType Container)) {
        $null = New-Item -ItemType Directory -Path $directory -Force
    }
    $json = ConvertTo-Json -Compress -InputObject ([ordered]@{
            lastSuccessfulSend = $SentAt.ToString('o')
            eventsSince        = $EventsSince.ToString('o')
        })
    # A torn file is harmless: the next run finds it unreadable and reads the last -LookbackDays days.
    [System.IO.File]::WriteAllText($Path, $json, (New-Object System.Text.UTF8Encoding($false)))
}

function Test-TokenFileAcl {
    param([string] $Path)
    try {
        # Everyone, Interactive, Authenticated Users, Users, Guests
        $broad = @('S-1-1-0', 'S-1-5-4', 'S-1-5-11', 'S-1-5-32-545', 'S-1-5-32-546')
        $acl = Get-Acl -LiteralPath $Path
        foreach ($rule in $acl.Access) {
            if ($rule.AccessControlType -ne [System.Security.AccessControl.AccessControlType]::Allow) {
                continue
            }
            $sid = $null
            try {
                $sid = $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value
            }
            catch {
                continue
            }
            if ($broad -contains $sid) {
                Write-AgentLog -Level WARN -Message ("token file '{0}' is readable by {1}: restrict it to SYSTEM and Administrators (README.md)" -f $Path, $rule.IdentityReference)
                return
            }
        }
    }
    catch {
        Write-AgentLog -Level INFO -Message "could not check the token file's permissions: $($_.Exception.Message)"
    }
}

function Get-BearerToken {
    if ($script:TokenGiven) {
        $value = $Token
    }
    else {
        if (-not (Test-Path -LiteralPath $TokenPath -PathType Leaf)) {
            throw "no token: the token file '$TokenPath' does not exist (README.md: deploying the token)"
        }
        Test-TokenFileAcl -Path $TokenPath
        $value = @([System.IO.File]::ReadAllText($TokenPath) -split "`r?`n" | Where-Object { $_.Trim() -ne '' }) | Select-Object -First 1
    }
    if ($null -eq $value) {
        $value = ''
    }
    $value = $value.Trim()
    if ($value -eq '') {
        throw 'no token: the token is empty'
    }
    if ($value -match '\s') {
        throw 'the token contains white space: check the token file'
    }
    return $value
}

# ---------------------------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------------------------

function Get-RetryAfterSeconds {
    param($Response)
    try {
        $headers = $Response.Headers
        if ($null -eq $headers) {
            return $null
        }
        $raw = $null
        if ($headers -is [System.Net.WebHeaderCollection]) {
            # Windows PowerShell 5.1: HttpWebResponse
            $raw = $headers['Retry-After']
        }
        else {
            # PowerShell 7: HttpResponseMessage
            $retryAfter = $headers.RetryAfter
            if ($null -eq $retryAfter) {
                return $null
            }
            if ($null -ne $retryAfter.Delta) {
                return [int][Math]::Ceiling($retryAfter.Delta.TotalSeconds)
            }
            if ($null -ne $retryAfter.Date) {
                return [int][Math]::Max(0, [Math]::Ceiling(($retryAfter.Date - [DateTimeOffset]::UtcNow).TotalSeconds))
            }
            return $null
        }
        if ([string]::IsNullOrWhiteSpace($raw)) {
            return $null
        }
        $seconds = 0
        if ([int]::TryParse($raw.Trim(), [ref]$seconds)) {
            return [Math]::Max(0, $seconds)
        }
        $date = [DateTimeOffset]::MinValue
        if ([DateTimeOffset]::TryParse($raw.Trim(), [System.Globalization.CultureInfo]::InvariantCulture,
                [System.Globalization.DateTimeStyles]::AssumeUniversal, [ref]$date)) {
            return [int][Math]::Max(0, [Math]::Ceiling(($date - [DateTimeOffset]::UtcNow).TotalSeconds))
        }
    }
    catch {
        return $null
    }
    return $null
}

# What went wrong with one HTTP attempt: the status (null when no answer came), Retry-After and the answer's body.
function Get-HttpFailure {
    param([System.Management.Automation.ErrorRecord] $ErrorRecord)
    $response = $null
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception -and $null -eq $response) {
        $property = $exception.PSObject.Properties['Response']
        if ($null -ne $property -and $null -ne $property.Value) {
            $response = $property.Value
        }
        $exception = $exception.InnerException
    }
    $status = $null
    $retryAfter = $null
    if ($null -ne $response) {
        try {
            $status = [int]$response.StatusCode
        }
        catch {
            $status = $null
        }
        $retryAfter = Get-RetryAfterSeconds -Response $response
    }
    $body = $null
    if ($null -ne $ErrorRecord.ErrorDetails -and -not [string]::IsNullOrEmpty($ErrorRecord.ErrorDetails.Message)) {
        $body = $ErrorRecord.ErrorDetails.Message
    }
    return [pscustomobject]@{
        Status     = $status
        RetryAfter = $retryAfter
        Body       = $body
        Message    = $ErrorRecord.Exception.Message
    }
}

# One line for a problem detail (RFC 9457) or whatever the collector answered.
function Format-Problem {
    param([string] $Body)
    if ([string]::IsNullOrWhiteSpace($Body)) {
        return ''
    }
    try {
        $problem = $Body | ConvertFrom-Json
        $parts = @()
        foreach ($name in @('title', 'detail')) {
            $property = $problem.PSObject.Properties[$name]
            if ($null -ne $property -and -not [string]::IsNullOrWhiteSpace([string]$property.Value)) {
                $parts += [string]$property.Value
            }
        }
        if ($parts.Count -gt 0) {
            return ($parts -join ': ')
        }
    }
    catch {
        # not JSON: print it as it is
    }
    $flat = ($Body -replace '\s+', ' ').Trim()
    if ($flat.Length -gt 500) {
        $flat = $flat.Substring(0, 500) + '...'
    }
    return $flat
}

function Get-RejectedCount {
    param($Response)
    if ($null -eq $Response -or $Response -is [string]) {
        return 0
    }
    $property = $Response.PSObject.Properties['rejected']
    if ($null -eq $property -or $null -eq $property.Value) {
        return 0
    }
    $count = 0
    if ([int]::TryParse([string]$property.Value, [ref]$count)) {
        return $count
    }
    return 0
}

# POSTs the body, retrying on network errors, 408, 429 and 5xx. Returns Outcome 'sent', 'rejected' or 'unreachable'.
function Send-Report {
    param(
        [string] $Uri,
        [string] $BearerToken,
        [byte[]] $Body
    )
    $userAgent = 'PatchPulseAgent/{0} (PowerShell {1})' -f $script:AgentVersion, $PSVersionTable.PSVersion
    $attempt = 0
    while ($true) {
        $attempt++
        $request = @{
            Uri             = $Uri
            Method          = 'Post'
            Body            = $Body
            ContentType     = 'application/json'
            Headers         = @{ Authorization = "Bearer $BearerToken" }
            TimeoutSec      = $TimeoutSec
            UserAgent       = $userAgent
            UseBasicParsing = $true
            ErrorAction     = 'Stop'
        }
        if (-not [string]::IsNullOrEmpty($Proxy)) {
            $request['Proxy'] = $Proxy
            $request['ProxyUseDefaultCredentials'] = $true
        }
        try {
            $response = Invoke-RestMethod @request
            return [pscustomobject]@{ Outcome = 'sent'; Status = $null; Response = $response; Failure = $null }
        }
        catch {
            $failure = Get-HttpFailure -ErrorRecord $_
        }

        $retryable = ($null -eq $failure.Status) -or ($failure.Status -eq 408) -or ($failure.Status -eq 429) -or ($failure.Status -ge 500)
        if (-not $retryable) {
            return [pscustomobject]@{ Outcome = 'rejected'; Status = $failure.Status; Response = $null; Failure = $failure }
        }
        $what = 'no answer'
        if ($null -ne $failure.Status) {
            $what = "HTTP $($failure.Status)"
        }
        Write-AgentLog -Level WARN -Message ("attempt {0} of {1} failed ({2}): {3}" -f $attempt, $MaxAttempts, $what, $failure.Message)
        if ($attempt -ge $MaxAttempts) {
            return [pscustomobject]@{ Outcome = 'unreachable'; Status = $failure.Status; Response = $null; Failure = $failure }
        }
        $wait = [Math]::Min($script:MaxRetryWaitSec, 10 * [Math]::Pow(2, $attempt - 1))
        $wait = [int][Math]::Ceiling($wait * (0.75 + (Get-Random -Minimum 0.0 -Maximum 0.5)))
        if ($null -ne $failure.RetryAfter) {
            if ($failure.RetryAfter -gt $script:MaxRetryWaitSec) {
                Write-AgentLog -Level WARN -Message "the collector asked to retry after $($failure.RetryAfter) s: leaving it to the next run"
                return [pscustomobject]@{ Outcome = 'unreachable'; Status = $failure.Status; Response = $null; Failure = $failure }
            }
            $wait = [Math]::Max(1, [int]$failure.RetryAfter)
        }
        Write-AgentLog -Level INFO -Message "retrying in $wait s"
        Start-Sleep -Seconds $wait
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

function Invoke-PatchPulseAgent {
    if ($PSVersionTable.PSVersion.Major -lt 6) {
        # Windows PowerShell 5.1: without this, an array wrapped in a PSObject is written as {"value":[...],"Count":n}.
        try {
            Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue
        }
        catch {
            # no such type data: nothing to remove
        }
        # .NET Framework may default to TLS 1.0/1.1; the collector wants TLS 1.2 (or newer, kept if enabled).
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    }
    Initialize-Log -Path $LogPath
    Write-AgentLog -Level INFO -Message ("PatchPulse agent {0} on PowerShell {1} ({2}-bit process), elevated: {3}, dry run: {4}" -f `
            $script:AgentVersion, $PSVersionTable.PSVersion, ([IntPtr]::Size * 8), (Test-Elevated), [bool]$DryRun)

    # Settings first: nothing is gathered for a run that could not send it.
    $endpoint = $null
    $bearerToken = $null
    if (-not $DryRun) {
        $url = $CollectorUrl.Trim()
        if ($url -eq '') {
            Write-AgentLog -Level ERROR -Message 'no -CollectorUrl given'
            Write-Output 'PatchPulse: not sent: no -CollectorUrl given'
            $script:ExitCode = 3
            return
        }
        $parsed = $null
        if (-not [Uri]::TryCreate($url, [UriKind]::Absolute, [ref]$parsed) -or ($parsed.Scheme -ne 'https' -and $parsed.Scheme -ne 'http')) {
            Write-AgentLog -Level ERROR -Message "-CollectorUrl '$url' is not an http(s) address"
            Write-Output "PatchPulse: not sent: -CollectorUrl '$url' is not an http(s) address"
            $script:ExitCode = 3
            return
        }
        if ($parsed.Scheme -eq 'http' -and -not $parsed.IsLoopback -and -not $AllowHttp) {
            Write-AgentLog -Level ERROR -Message "-CollectorUrl '$url' is plain http: the token would travel in clear text (use https, or -AllowHttp in a lab)"
            Write-Output 'PatchPulse: not sent: plain-http collector URL refused (use https)'
            $script:ExitCode = 3
            return
        }
        $endpoint = $url.TrimEnd('/') + '/v1/device-reports'
        try {
            $bearerToken = Get-BearerToken
        }
        catch {
            Write-AgentLog -Level ERROR -Message $_.Exception.Message
            Write-Output "PatchPulse: not sent: $($_.Exception.Message)"
            $script:ExitCode = 3
            return
        }
    }

    $collectedLocal = Get-Date
    $collectedAt = [DateTimeOffset]$collectedLocal

    # The event window: from the last successful run (minus a small overlap: the collector removes duplicates by
    # event id), or the last -LookbackDays days.
    $since = $collectedAt.AddDays(-$LookbackDays)
    try {
        $lastSince = Read-EventsSince -Path $StatePath
        if ($null -ne $lastSince) {
            if ($lastSince -gt $collectedAt) {
                Write-AgentLog -Level WARN -Message "state: eventsSince $($lastSince.ToString('o')) lies in the future (clock change?): reading the last $LookbackDays days"
            }
            else {
                $since = $lastSince.AddMinutes(-$script:EventOverlapMinutes)
            }
        }
    }
    catch {
        Write-AgentLog -Level WARN -Message "state: unreadable, reading the last $LookbackDays days: $($_.Exception.Message)"
    }

    $report = [ordered]@{
        schema           = $script:Schema
        host             = $env:COMPUTERNAME
        collectedAt      = $collectedLocal.ToString('o')
        os               = $null
        reagentc         = $null
        partitions       = $null
        recoveryVolume   = $null
        bitlocker        = $null
        manageBde        = $null
        winreVersion     = $null
        winrePatchScript = $null
        rebootPending    = $null
        events           = $null
    }

    try {
        $report['os'] = Get-OsInfo
    }
    catch {
        Write-PartWarning -Part 'os' -ErrorRecord $_
    }

    try {
        $report['reagentc'] = Get-ReagentcInfo
    }
    catch {
        Write-PartWarning -Part 'reagentc' -ErrorRecord $_
    }

    try {
        $report['partitions'] = @(Get-PartitionList)
    }
    catch {
        Write-PartWarning -Part 'partitions' -ErrorRecord $_
    }

    try {
        $report['recoveryVolume'] = Get-RecoveryVolume -ReagentcText $report['reagentc']
    }
    catch {
        Write-PartWarning -Part 'recoveryVolume' -ErrorRecord $_
    }

    $bitLockerCmdlet = $null
    try {
        $bitLockerCmdlet = Get-Command -Name 'Get-BitLockerVolume' -ErrorAction SilentlyContinue
    }
    catch {
        $bitLockerCmdlet = $null
    }
    if ($null -ne $bitLockerCmdlet) {
        try {
            $report['bitlocker'] = Get-BitLockerSummary
        }
        catch {
            Write-AgentLog -Level WARN -Message "bitlocker: Get-BitLockerVolume failed, trying manage-bde: $($_.Exception.Message)"
        }
    }
    else {
        Write-AgentLog -Level INFO -Message 'bitlocker: Get-BitLockerVolume is not available, using manage-bde'
    }
    if ($null -eq $report['bitlocker']) {
        try {
            $report['manageBde'] = Get-ManageBdeStatus
        }
        catch {
            Write-PartWarning -Part 'manageBde' -ErrorRecord $_
        }
    }

    try {
        $report['winreVersion'] = ConvertTo-NullableString (Get-MachineRegistryValue -SubKey 'SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name 'WinREVersion')
    }
    catch {
        Write-PartWarning -Part 'winreVersion' -ErrorRecord $_
    }

    try {
        $report['winrePatchScript'] = ConvertTo-NullableInt64 (Get-MachineRegistryValue -SubKey 'SOFTWARE\Microsoft\PushButtonReset' -Name 'WinREPathScriptSucceed')
    }
    catch {
        Write-PartWarning -Part 'winrePatchScript' -ErrorRecord $_
    }

    try {
        $report['rebootPending'] = Get-RebootPending
    }
    catch {
        Write-PartWarning -Part 'rebootPending' -ErrorRecord $_
    }

    # Where the next run's window starts: now, or (when this report could not take every event) the newest event
    # sent, or (when reading failed) where this run started.
    $nextSince = $since
    try {
        $found = Get-UpdateEvents -Since $since -Limit $MaxEvents
        $report['events'] = $found.Events
        $nextSince = $collectedAt
        if ($found.Truncated -and $null -ne $found.Newest) {
            Write-AgentLog -Level WARN -Message "events: more than $MaxEvents since $($since.ToString('o')); the rest follow on the next run"
            $nextSince = $found.Newest
        }
        Write-AgentLog -Level INFO -Message ("events: {0} since {1}" -f $found.Events.Count, $since.ToString('o'))
    }
    catch {
        Write-PartWarning -Part 'events' -ErrorRecord $_
    }

    $json = ConvertTo-Json -InputObject $report -Depth 6 -Compress

    if ($DryRun) {
        Write-Output $json
        $script:ExitCode = 0
        return
    }

    $body = (New-Object System.Text.UTF8Encoding($false)).GetBytes($json)
    Write-AgentLog -Level INFO -Message "sending $($body.Length) bytes to $endpoint"
    $result = Send-Report -Uri $endpoint -BearerToken $bearerToken -Body $body

    switch ($result.Outcome) {
        'sent' {
            $rejected = Get-RejectedCount -Response $result.Response
            if ($rejected -gt 0) {
                $answer = ConvertTo-Json -InputObject $result.Response -Depth 6 -Compress
                Write-AgentLog -Level ERROR -Message "the collector took the request but rejected the report: $answer"
                Write-Output $answer
                Write-Output 'PatchPulse: report rejected by the collector (see the line above)'
                $script:ExitCode = 1
                return
            }
            try {
                Write-State -Path $StatePath -EventsSince $nextSince -SentAt ([DateTimeOffset]::Now)
            }
            catch {
                Write-AgentLog -Level WARN -Message "state: not saved, the next run reads the same events again: $($_.Exception.Message)"
            }
            $eventCount = 0
            if ($null -ne $report['events']) {
                $eventCount = @($report['events']).Count
            }
            Write-AgentLog -Level INFO -Message "report sent ($eventCount events)"
            Write-Output ("PatchPulse: report sent to {0} ({1} events, {2} bytes)" -f $endpoint, $eventCount, $body.Length)
            $script:ExitCode = 0
        }
        'rejected' {
            $summary = Format-Problem -Body $result.Failure.Body
            Write-AgentLog -Level ERROR -Message ("rejected: HTTP {0}: {1}" -f $result.Status, $result.Failure.Body)
            if (-not [string]::IsNullOrWhiteSpace($result.Failure.Body)) {
                Write-Output $result.Failure.Body
            }
            Write-Output ("PatchPulse: report rejected: HTTP {0} {1}" -f $result.Status, $summary)
            $script:ExitCode = 1
        }
        default {
            $what = 'no answer'
            if ($null -ne $result.Status) {
                $what = "HTTP $($result.Status)"
            }
            Write-AgentLog -Level ERROR -Message ("could not deliver the report to {0}: {1}: {2}" -f $endpoint, $what, $result.Failure.Message)
            Write-Output ("PatchPulse: collector not reached ({0}): {1}" -f $what, $result.Failure.Message)
            $script:ExitCode = 2
        }
    }
}

try {
    Invoke-PatchPulseAgent
}
catch {
    Write-AgentLog -Level ERROR -Message "unexpected error: $($_.Exception.Message) at $($_.InvocationInfo.PositionMessage)"
    Write-Output "PatchPulse: failed: $($_.Exception.Message)"
    $script:ExitCode = 3
}
exit $script:ExitCode
