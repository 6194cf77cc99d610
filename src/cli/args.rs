//! The command line, as clap types.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "carevault",
    version,
    about = "Backup and restore for clinic data on offline tablets"
)]
pub struct Cli {
    /// Print results as JSON (see docs/JSON.md).
    #[arg(long, global = true)]
    pub json: bool,
    /// Log in as this user (their role decides what is allowed).
    #[arg(long, global = true, env = "CAREVAULT_USER")]
    pub user: Option<String>,
    /// Read the user's password from this file ("-" = standard input). Else
    /// CAREVAULT_PASSWORD, else a prompt.
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct HomeArg {
    /// The app home (holds data/, private/ and carevault.toml).
    #[arg(long, env = "CAREVAULT_HOME", default_value = ".")]
    pub home: PathBuf,
}

#[derive(Args, Debug, Clone, Default)]
pub struct UnlockArgs {
    /// Read the passphrase from this file ("-" = standard input). Else
    /// CAREVAULT_PASSPHRASE, else a prompt on the terminal.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Unlock with a recovery key file (from `carevault keygen`) instead of the passphrase.
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_file")]
    pub identity: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole cycle on a fresh demo clinic (see README).
    Demo(DemoArgs),
    /// Make a backup of the app home's data.
    Backup(BackupArgs),
    /// Read a backup completely and check every byte.
    Verify {
        /// Backup ID, label or file (docs/CLI.md, "Naming a backup").
        backup: String,
        #[command(flatten)]
        unlock: UnlockArgs,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Restore a backup into the app home (the data it replaces is kept).
    Restore {
        /// Backup ID, label or file (docs/CLI.md, "Naming a backup").
        backup: String,
        #[command(flatten)]
        list: ListArgs,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Print what would happen and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Wait up to this many seconds for a running synchronization to end.
        #[arg(long, value_name = "SECONDS")]
        wait_sync: Option<u64>,
        /// Replace existing clinic data without asking (for scripts; at a
        /// terminal the restore asks, showing what it replaces).
        #[arg(long)]
        yes: bool,
        /// Run the whole `PRAGMA integrity_check` of every restored
        /// database, even where the backup sealed its own passing check.
        #[arg(long)]
        full_check: bool,
    },
    /// List the backups in the app home's Private folder and the given folders.
    List(ListArgs),
    /// Show one backup's details (and, with the passphrase, its contents).
    Show {
        /// Backup ID, label or file (docs/CLI.md, "Naming a backup").
        backup: String,
        #[command(flatten)]
        list: ListArgs,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Show contents too (asks for the passphrase).
        #[arg(long)]
        contents: bool,
    },
    /// Delete a backup.
    Delete {
        /// Backup ID, label or file (docs/CLI.md, "Naming a backup").
        backup: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a backup's passphrase (the payload is not re-encrypted).
    Rekey {
        /// Backup ID, label or file (docs/CLI.md, "Naming a backup").
        backup: String,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Read the new passphrase from this file. Else CAREVAULT_NEW_PASSPHRASE, else a prompt.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Users and their roles (System Administrator only; the first user of
    /// an empty home needs no login).
    #[command(subcommand)]
    Users(UsersAction),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditAction),
    /// The data that restores replaced: list, put back, remove.
    #[command(subcommand, name = "safety-copies")]
    SafetyCopies(SafetyAction),
    /// The signing keys of the facility's other tablets whose backups
    /// nurses and managers may restore here (System Administrator only).
    #[command(subcommand)]
    Trust(TrustAction),
    /// Synchronization state.
    #[command(subcommand)]
    Sync(SyncAction),
    /// Sync state, newest backup per medium, free space, weekly-backup warning.
    Status {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Make an automatic Private backup if one is due, then apply retention.
    Auto {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Serve the Backup Explorer (web app and JSON API, docs/API.md) until
    /// Ctrl-C; also makes automatic backups on the profile's interval.
    Serve(ServeArgs),
    /// Import a backup made by another system as a carevault backup.
    #[command(subcommand)]
    Import(ImportAction),
    /// Copies of the backups on S3-compatible object storage (docs/OFFSITE.md).
    #[command(subcommand)]
    Offsite(super::offsite::OffsiteAction),
    /// Every tablet in a ministry's bucket: newest backups and offsite
    /// copies, audit anchors, devices at risk; `fleet audit` checks backups
    /// (docs/FLEET.md).
    Fleet(super::fleet::FleetArgs),
    /// Make a recovery key pair (the facility keeps the secret half).
    Keygen {
        /// Write the secret key to this file (refuses to overwrite).
        #[arg(long, short)]
        out: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Address and port to listen on (loopback unless told otherwise).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Largest backup file accepted as an upload, in bytes (default 8 GiB).
    #[arg(long, value_name = "BYTES", default_value_t = carevault_web::DEFAULT_MAX_UPLOAD)]
    pub max_upload: u64,
}

#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Also look in this folder (repeatable).
    #[arg(long = "in", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Only this medium (private, public or external).
    #[arg(long)]
    pub media: Option<String>,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Write to this folder instead of a medium (the External policy applies).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// A label shown in listings.
    #[arg(long)]
    pub label: Option<String>,
    /// Medium: private, public or external (falls back to public when no
    /// SD card or USB drive is mounted).
    #[arg(long, default_value = "private", conflicts_with = "to")]
    pub medium: String,
    /// Wait up to this many seconds for a running synchronization to end.
    #[arg(long, value_name = "SECONDS")]
    pub wait_sync: Option<u64>,
    /// Read the passphrase from this file ("-" = standard input).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Make an unencrypted backup (refused where policy requires encryption).
    #[arg(long, conflicts_with_all = ["passphrase_file", "recovery_key"])]
    pub no_encrypt: bool,
    /// A recovery public key (age1...) that can also unlock the backup (repeatable).
    #[arg(long, value_name = "PUBLIC_KEY")]
    pub recovery_key: Vec<String>,
    /// Skip reading the written file back before reporting it (for
    /// benchmarks only: an unverified backup may not be restorable).
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(subcommand)]
    pub action: Option<DemoAction>,
    /// Folder for the demo run (replaced if an earlier demo made it).
    #[arg(long, default_value = "carevault-demo")]
    pub dir: PathBuf,
    /// Patients in the demo clinic.
    #[arg(long, default_value_t = 20_000)]
    pub patients: u64,
    /// Photos in the demo clinic.
    #[arg(long, default_value_t = 60)]
    pub photos: u64,
}

#[derive(Subcommand, Debug)]
pub enum DemoAction {
    /// Create a demo app home with realistic clinic data.
    Init {
        /// Where to create it.
        home: PathBuf,
        #[arg(long, default_value_t = 2_000)]
        patients: u64,
        #[arg(long, default_value_t = 20)]
        photos: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run the sync simulator (holds the sync lock and writes like a real synchronization).
    Sync {
        /// The app home.
        home: PathBuf,
        /// How long the synchronization lasts.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// Run the demo app writer (commits changes until stopped with Ctrl-C).
    Write {
        /// The app home.
        home: PathBuf,
        /// Transactions per second (default: as fast as possible).
        #[arg(long)]
        rate: Option<u32>,
        /// Stop after this many transactions.
        #[arg(long)]
        max: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UsersAction {
    /// Add a user (password from --new-password-file, CAREVAULT_NEW_PASSWORD or a prompt).
    Add {
        name: String,
        /// "Clinical Manager", "Clinic Nurse", "System Administrator" or "Clinic Staff".
        #[arg(long)]
        role: String,
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
    },
    /// List users and roles.
    List {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Set a user's password.
    Passwd {
        name: String,
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
    },
    /// Change a user's role.
    Role {
        name: String,
        role: String,
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum SafetyAction {
    /// The safety copies, newest first, with their size.
    List {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Put a safety copy back as the clinic data (System Administrator; the
    /// data it replaces becomes a safety copy in turn).
    Restore {
        /// Its name, as `list` shows it.
        name: String,
        #[command(flatten)]
        home: HomeArg,
    },
    /// Remove a safety copy (System Administrator).
    Remove {
        /// Its name, as `list` shows it.
        name: String,
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Show the audit trail.
    List {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Check the audit trail's hash chain (finds edited, removed or reordered entries).
    Verify {
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum SyncAction {
    /// Idle or Running (and since when).
    Status {
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum TrustAction {
    /// Trust another tablet's signing key (as `trust list` shows it there,
    /// or its minisign .pub file).
    Add {
        /// The public key (starts with RW), or a file holding it.
        key: String,
        /// A name for the tablet (or facility) the key belongs to.
        #[arg(long)]
        name: String,
        /// KEY is a facility key (`trust facility-key`): trust every
        /// tablet whose device key it certified.
        #[arg(long)]
        facility: bool,
        #[command(flatten)]
        home: HomeArg,
    },
    /// Make a facility key pair that countersigns device keys (the secret
    /// goes to FILE, kept offline like a recovery key; no login needed).
    FacilityKey {
        /// Write the secret key to this file (refuses to overwrite).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Certify this tablet's device key with the facility key, so that
    /// tablets trusting the facility key trust this tablet's backups.
    Certify {
        /// The facility's secret key file.
        #[arg(long, value_name = "FILE")]
        facility_key: PathBuf,
        #[command(flatten)]
        home: HomeArg,
    },
    /// This tablet's own signing key and the trusted keys.
    List {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Stop trusting a key (by key ID or name).
    Remove {
        /// Key ID or name.
        key: String,
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportAction {
    /// Read a SanteDB backup of any layout (.bin, .sdbk, .tar.gz) and write
    /// one carevault backup of it (docs/IMPORT.md).
    Santedb(SantedbArgs),
}

#[derive(Args, Debug)]
pub struct SantedbArgs {
    /// The SanteDB backup file.
    pub file: PathBuf,
    #[command(flatten)]
    pub home: HomeArg,
    /// Read the SanteDB backup's passphrase from this file ("-" = standard
    /// input). Else CAREVAULT_SANTEDB_PASSPHRASE, else a prompt; asked only
    /// when the file is encrypted.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Folder for the carevault backup (the External policy applies).
    #[arg(long, value_name = "DIR", required_unless_present = "dry_run")]
    pub to: Option<PathBuf>,
    /// A label for the carevault backup (default: SanteDB-<creation time>).
    #[arg(long)]
    pub label: Option<String>,
    /// Read the carevault backup's passphrase from this file. Else
    /// CAREVAULT_NEW_PASSPHRASE, else a prompt.
    #[arg(long, value_name = "FILE")]
    pub encrypt_with_passphrase_file: Option<PathBuf>,
    /// Make the carevault backup unencrypted (refused where policy requires encryption).
    #[arg(long, conflicts_with_all = ["encrypt_with_passphrase_file", "recovery_key"])]
    pub no_encrypt: bool,
    /// A recovery public key (age1...) that can also unlock the carevault backup (repeatable).
    #[arg(long, value_name = "PUBLIC_KEY")]
    pub recovery_key: Vec<String>,
    /// Read and check everything, print what would be imported, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}
