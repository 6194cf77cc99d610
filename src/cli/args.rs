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
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        unlock: UnlockArgs,
        #[command(flatten)]
        home: HomeArg,
    },
    /// Restore a backup into the app home (the data it replaces is kept).
    Restore {
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Print what would happen and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List the backups in the app home's Private folder and the given folders.
    List(ListArgs),
    /// Show one backup's details (and, with the passphrase, its contents).
    Show {
        /// Backup ID, label or file.
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
        /// Backup ID, label or file.
        backup: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a backup's passphrase (the payload is not re-encrypted).
    Rekey {
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Read the new passphrase from this file. Else CAREVAULT_NEW_PASSPHRASE, else a prompt.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
    },
    /// Make a recovery key pair (the facility keeps the secret half).
    Keygen {
        /// Write the secret key to this file (refuses to overwrite).
        #[arg(long, short)]
        out: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Also look in this folder (repeatable).
    #[arg(long = "in", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Folder to write to (default: the Private folder, HOME/private/backups).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// A label shown in listings.
    #[arg(long)]
    pub label: Option<String>,
    /// Who makes the backup (recorded as "Created By").
    #[arg(long, env = "CAREVAULT_USER", default_value = "admin")]
    pub user: String,
    /// Read the passphrase from this file ("-" = standard input).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Make an unencrypted backup (refused where policy requires encryption).
    #[arg(long, conflicts_with_all = ["passphrase_file", "recovery_key"])]
    pub no_encrypt: bool,
    /// A recovery public key (age1...) that can also unlock the backup (repeatable).
    #[arg(long, value_name = "PUBLIC_KEY")]
    pub recovery_key: Vec<String>,
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
