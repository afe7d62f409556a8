; Inno Setup script: the Windows installer of Desk, made from the PyInstaller bundle.
; The build passes the version read from the package (see BUILD-WINDOWS.md):
;
;     iscc /DAppVersion=0.1.0 installer\desk.iss
;
; Paths are relative to this file: the bundle is ..\dist\desk-app, the installer
; is written to ..\dist.

#ifndef AppVersion
  #error Pass the version from the package: iscc /DAppVersion=<desk_app.__version__> installer\desk.iss
#endif

[Setup]
; The AppId ties updates and the uninstaller to the same installed program: never change it.
AppId={{3464DCF0-7005-4E94-9BAF-B56B4F339A28}
AppName=Desk
AppVersion={#AppVersion}
AppVerName=Desk {#AppVersion}
AppPublisher=Desk
DefaultDirName={autopf}\Desk
DefaultGroupName=Desk
DisableProgramGroupPage=yes
; Installed for every user by an administrator, or for the current user alone.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=desk-app-{#AppVersion}-windows-x64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=Desk {#AppVersion}
UninstallDisplayIcon={app}\Desk.exe
; The data (the local database, settings, logs) is in the user's profile, not here:
; an update replaces the program folder only and the uninstaller leaves the data.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: Desk.exe (the window), desk-app.exe (the command line)
; and _internal\ (Python, Qt, Desk's files and the user guide).
Source: "..\dist\desk-app\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An update must not leave the files of an older version beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Desk"; Filename: "{app}\Desk.exe"; WorkingDir: "{userdocs}"; Comment: "Brokerage back office"
Name: "{group}\Uninstall Desk"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Desk"; Filename: "{app}\Desk.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\Desk.exe"; Description: "{cm:LaunchProgram,Desk}"; Flags: nowait postinstall skipifsilent
