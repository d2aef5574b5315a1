<#
.SYNOPSIS
    Installs the PatchPulse agent on this computer and registers a scheduled task that runs it as SYSTEM, daily and
    at startup.

.DESCRIPTION
    For testing and for small fleets; larger fleets use Intune or a GPO (README.md beside this script). It:

      1. creates %ProgramData%\PatchPulse (owner Administrators, access for SYSTEM and Administrators only, also on
         whatever is already in it): the token, the agent's state and its log live there;
      2. with -Token (or at the prompt, when run interactively and no token file exists yet), writes the token
         file %ProgramData%\PatchPulse\token with the same access;
      3. copies Send-PatchPulseReport.ps1 from this script's folder to -InstallDirectory (default
         %ProgramFiles%\PatchPulse, writable by administrators only: a SYSTEM task must never run a script that
         users can change);
      4. registers the task \PatchPulse\<TaskName>: daily at -DailyAt plus a random delay of up to
         -RandomDelayMinutes, and at startup after -StartupDelayMinutes; as SYSTEM with the highest privileges;
         powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File <agent>
         -CollectorUrl <url>; one instance at a time, stopped after 30 minutes, started as soon as possible after
         a missed run, also on battery.

    Run it again to change the settings (the task is replaced). -Unregister removes the task and leaves the files.

.PARAMETER CollectorUrl
    Base address of the PatchPulse collector, for example https://collector.example.com:8080.

.PARAMETER Token
    The collector token to write into %ProgramData%\PatchPulse\token. Leave it out to keep an existing token file.
    It is never written anywhere else (not into the task's command line).

.PARAMETER InstallDirectory
    Where the agent script is copied to. Default: %ProgramFiles%\PatchPulse.

.PARAMETER TaskName
    Name of the task in the \PatchPulse\ folder of the Task Scheduler. Default: 'Send device report'.

.PARAMETER DailyAt
    Time of the daily run. Default 10:00 (local time).

.PARAMETER RandomDelayMinutes
    Random delay added to the daily run, so that a fleet does not report all at once. Default 120.

.PARAMETER StartupDelayMinutes
    Delay after startup before the startup run (the network and services settle). Default 15.

.PARAMETER RunNow
    Start the task once right after registering it.

.PARAMETER Unregister
    Remove the task instead of registering it.

.EXAMPLE
    .\Register-PatchPulseTask.ps1 -CollectorUrl https://collector.example.com:8080 -RunNow

    Installs the agent, asks for the token if there is none yet, registers the task and runs it once. The result
    is in %ProgramData%\PatchPulse\agent.log and in the task's 'Last Run Result' (the agent's exit code).

.EXAMPLE
    .\Register-PatchPulseTask.ps1 -Unregister

.NOTES
    Needs an elevated PowerShell (Windows PowerShell 5.1 or PowerShell 7) and the ScheduledTasks module that ships
    with Windows.
#>
#Requires -Version 5.1
#Requires -RunAsAdministrator
[CmdletBinding(DefaultParameterSetName = 'Register')]
param(
    [Parameter(ParameterSetName = 'Register', Mandatory = $true)]
    [string] $CollectorUrl,

    [Parameter(ParameterSetName = 'Register')]
    [string] $Token,

    [Parameter(ParameterSetName = 'Register')]
    [string] $InstallDirectory = (Join-Path $env:ProgramFiles 'PatchPulse'),

    [string] $TaskName = 'Send device report',

    [Parameter(ParameterSetName = 'Register')]
    [datetime] $DailyAt = '10:00',

    [Parameter(ParameterSetName = 'Register')]
    [ValidateRange(0, 720)]
    [int] $RandomDelayMinutes = 120,

    [Parameter(ParameterSetName = 'Register')]
    [ValidateRange(0, 120)]
    [int] $StartupDelayMinutes = 15,

    [Parameter(ParameterSetName = 'Register')]
    [switch] $RunNow,

    [Parameter(ParameterSetName = 'Unregister', Mandatory = $true)]
    [switch] $Unregister
)

$ErrorActionPreference = 'Stop'
$taskPath = '\PatchPulse\'
$dataDirectory = Join-Path $env:ProgramData 'PatchPulse'
$tokenFile = Join-Path $dataDirectory 'token'
$systemSid = [System.Security.Principal.SecurityIdentifier]::new('S-1-5-18')
$administratorsSid = [System.Security.Principal.SecurityIdentifier]::new('S-1-5-32-544')

if ($Unregister) {
    $existing = Get-ScheduledTask -TaskPath $taskPath -TaskName $TaskName -ErrorAction SilentlyContinue
    if ($null -eq $existing) {
        Write-Output "No task $taskPath$TaskName to remove."
    }
    else {
        Unregister-ScheduledTask -TaskPath $taskPath -TaskName $TaskName -Confirm:$false
        Write-Output "Removed the task $taskPath$TaskName (the files in $dataDirectory and the agent script stay)."
    }
    return
}

# Access for SYSTEM and Administrators only, nothing inherited; folders pass it on to what is created in them.
function Set-PrivateAcl {
    param([System.IO.FileSystemInfo] $Item)
    if ($Item -is [System.IO.DirectoryInfo]) {
        $acl = [System.Security.AccessControl.DirectorySecurity]::new()
        $inheritance = [System.Security.AccessControl.InheritanceFlags]::ContainerInherit -bor [System.Security.AccessControl.InheritanceFlags]::ObjectInherit
    }
    else {
        $acl = [System.Security.AccessControl.FileSecurity]::new()
        $inheritance = [System.Security.AccessControl.InheritanceFlags]::None
    }
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in @($systemSid, $administratorsSid)) {
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new(
            $sid,
            [System.Security.AccessControl.FileSystemRights]::FullControl,
            $inheritance,
            [System.Security.AccessControl.PropagationFlags]::None,
            [System.Security.AccessControl.AccessControlType]::Allow)
        $acl.AddAccessRule($rule)
    }
    Set-Acl -LiteralPath $Item.FullName -AclObject $acl
}

function Invoke-Icacls {
    param([string[]] $Arguments)
    $icacls = Join-Path $env:SystemRoot 'System32\icacls.exe'
    # Windows PowerShell turns redirected standard error into error records: 'Stop' would abort on the first.
    $ErrorActionPreference = 'Continue'
    $output = & $icacls @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "icacls $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join ' ')"
    }
}

# 1. The data folder: owner Administrators (a folder a user created beforehand would stay theirs otherwise, and
#    its owner can always change its permissions), then private permissions on it and on everything in it.
if (-not (Test-Path -LiteralPath $dataDirectory -PathType Container)) {
    $null = New-Item -ItemType Directory -Path $dataDirectory -Force
}
Invoke-Icacls -Arguments @($dataDirectory, '/setowner', '*S-1-5-32-544', '/T', '/C', '/Q')
Set-PrivateAcl -Item (Get-Item -LiteralPath $dataDirectory -Force)
foreach ($child in @(Get-ChildItem -LiteralPath $dataDirectory -Recurse -Force)) {
    Set-PrivateAcl -Item $child
}
Write-Output "Secured $dataDirectory (SYSTEM and Administrators only)."

# 2. The token.
if ([string]::IsNullOrEmpty($Token) -and -not (Test-Path -LiteralPath $tokenFile -PathType Leaf) -and [Environment]::UserInteractive) {
    $secure = Read-Host -Prompt 'PatchPulse collector token' -AsSecureString
    $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure)
    try {
        $Token = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    }
    finally {
        [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
    }
}
if (-not [string]::IsNullOrEmpty($Token)) {
    $Token = $Token.Trim()
    if ($Token -match '\s') {
        throw 'the token must not contain white space'
    }
    # The folder's permissions are inherited by the new file; they are set once more explicitly below.
    [System.IO.File]::WriteAllText($tokenFile, $Token, [System.Text.UTF8Encoding]::new($false))
    Set-PrivateAcl -Item (Get-Item -LiteralPath $tokenFile -Force)
    Write-Output "Wrote the token to $tokenFile (SYSTEM and Administrators only)."
}
elseif (Test-Path -LiteralPath $tokenFile -PathType Leaf) {
    Write-Output "Kept the existing token file $tokenFile."
}
else {
    Write-Warning "No token file $tokenFile yet: the task will exit with code 3 until it exists (run this script again with -Token)."
}

# 3. The agent script, where only administrators can change it.
$source = Join-Path $PSScriptRoot 'Send-PatchPulseReport.ps1'
if (-not (Test-Path -LiteralPath $source -PathType Leaf)) {
    throw "Send-PatchPulseReport.ps1 was not found beside this script ($source)"
}
if (-not (Test-Path -LiteralPath $InstallDirectory -PathType Container)) {
    $null = New-Item -ItemType Directory -Path $InstallDirectory -Force
}
$agent = Join-Path $InstallDirectory 'Send-PatchPulseReport.ps1'
if ([System.IO.Path]::GetFullPath($source) -ne [System.IO.Path]::GetFullPath($agent)) {
    Copy-Item -LiteralPath $source -Destination $agent -Force
}
try {
    Unblock-File -LiteralPath $agent
}
catch {
    # not downloaded, nothing to unblock
}
Write-Output "Copied the agent to $agent."

# 4. The task.
$powershell = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
$arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File "{0}" -CollectorUrl "{1}"' -f $agent, $CollectorUrl.Trim()
$action = New-ScheduledTaskAction -Execute $powershell -Argument $arguments

$daily = New-ScheduledTaskTrigger -Daily -At $DailyAt -RandomDelay (New-TimeSpan -Minutes $RandomDelayMinutes)
$startup = New-ScheduledTaskTrigger -AtStartup
if ($StartupDelayMinutes -gt 0) {
    # Boot triggers have a fixed delay only (no random delay).
    $startup.Delay = 'PT{0}M' -f $StartupDelayMinutes
}

# The SYSTEM account by its SID, so that the name matches on localized Windows too ('NT AUTHORITY' is translated).
$system = $systemSid.Translate([System.Security.Principal.NTAccount]).Value
$principal = New-ScheduledTaskPrincipal -UserId $system -LogonType ServiceAccount -RunLevel Highest

$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
    -MultipleInstances IgnoreNew -ExecutionTimeLimit (New-TimeSpan -Minutes 30)

$description = 'PatchPulse: sends this device''s Windows update / WinRE / BitLocker report to ' + $CollectorUrl.Trim() +
    '. Exit codes: 0 sent, 1 rejected, 2 collector not reached, 3 local problem. Log: ' + (Join-Path $dataDirectory 'agent.log')

$null = Register-ScheduledTask -TaskPath $taskPath -TaskName $TaskName -Action $action -Trigger @($daily, $startup) `
    -Principal $principal -Settings $settings -Description $description -Force
Write-Output "Registered the task $taskPath$TaskName (daily at $($DailyAt.ToString('HH:mm')) + up to $RandomDelayMinutes min, at startup + $StartupDelayMinutes min, as $system)."

if ($RunNow) {
    Start-ScheduledTask -TaskPath $taskPath -TaskName $TaskName
    Write-Output "Started it once; see $(Join-Path $dataDirectory 'agent.log') and the task's Last Run Result (the agent's exit code)."
}
