//! One demo clinic for every test layer: a temporary folder, an app home in
//! it made by the demo generator, the test profile (cheap scrypt, external
//! media looked for only under the temporary folder) and passphrase files
//! readable by their owner only.
//!
//! A layer keeps what is its own (a server, a browser, a second passphrase,
//! its way of making backups) in a wrapper around [`Clinic`].

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The seed `carevault demo init` uses when none is given: a home made by
/// [`Clinic::demo`] with it holds the data the command would make.
pub const CLI_DEMO_SEED: u64 = 1;

/// The scrypt work factor of the test profile: fast, and still a real
/// passphrase derivation.
pub const WORK_FACTOR: u8 = 10;

/// Where the test profile's removable media are looked for.
#[derive(Debug, Clone, Copy)]
pub enum Media<'a> {
    /// External media only in the folders `ROOT/*/*` (under a temporary
    /// folder, never the machine's own `/media` or `/run/media`).
    ExternalUnder(&'a Path),
    /// No medium requires encryption, so unencrypted backups may go to a
    /// plain folder (a test of the unencrypted format).
    PlainFoldersAllowed,
}

/// The text of a test profile (`carevault.toml`).
pub fn profile(work_factor: u8, media: Media<'_>) -> String {
    let media = match media {
        Media::ExternalUnder(root) => {
            format!("external_roots = [\"{}/*/*\"]\n", root.display())
        }
        Media::PlainFoldersAllowed => "require_encryption = []\n".to_string(),
    };
    format!("[encryption]\nwork_factor = {work_factor}\n[media]\n{media}")
}

/// Writes [`profile`] as `home`'s `carevault.toml` (creating `home`).
pub fn write_profile(home: &Path, work_factor: u8, media: Media<'_>) {
    std::fs::create_dir_all(home).expect("create the app home");
    std::fs::write(home.join("carevault.toml"), profile(work_factor, media))
        .expect("write the test profile");
}

/// Makes `home` a demo clinic (`carevault_demo::init`, what `carevault demo
/// init HOME --patients P --photos F --seed S` does).
pub fn demo_home(home: &Path, patients: u64, photos: u64, seed: u64) {
    let opts = carevault_demo::DemoOptions {
        patients,
        photos,
        seed,
    };
    carevault_demo::init(home, &opts)
        .unwrap_or_else(|e| panic!("demo init {}: {e}", home.display()));
}

/// Writes `passphrase` and a newline to `path`, readable by its owner only
/// (mode 0600, as a passphrase file should be).
pub fn write_passphrase(path: &Path, passphrase: &str) {
    std::fs::write(path, format!("{passphrase}\n")).expect("write the passphrase file");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .expect("make the passphrase file private");
}

/// A temporary folder with an app home in it, and the test profile.
pub struct Clinic {
    /// The temporary folder (removed when the clinic is dropped).
    pub tmp: tempfile::TempDir,
    /// The app home: `clinic` (demo data) or `fresh` (none) in `tmp`.
    pub home: PathBuf,
}

impl Clinic {
    /// A demo clinic (demo users `admin`, `manager`, `nurse`, `staff`) of
    /// `patients` patients and `photos` photos, made from `seed`, in
    /// `TMP/clinic`, with the test profile: work factor [`WORK_FACTOR`],
    /// external media under `TMP/media`.
    pub fn demo(patients: u64, photos: u64, seed: u64) -> Clinic {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let home = tmp.path().join("clinic");
        demo_home(&home, patients, photos, seed);
        let c = Clinic { tmp, home };
        c.set_profile(WORK_FACTOR, Media::ExternalUnder(&c.media_root()));
        c
    }

    /// An app home without clinic data (a fresh install, the reinstall
    /// case), `TMP/fresh`, with the same test profile as [`Clinic::demo`].
    pub fn empty() -> Clinic {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let home = tmp.path().join("fresh");
        let c = Clinic { tmp, home };
        c.set_profile(WORK_FACTOR, Media::ExternalUnder(&c.media_root()));
        c
    }

    /// The temporary folder.
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// Where the test profile looks for external media: `TMP/media`.
    pub fn media_root(&self) -> PathBuf {
        self.root().join("media")
    }

    /// The app home as a command-line argument.
    pub fn h(&self) -> &str {
        self.home.to_str().expect("a UTF-8 temporary path")
    }

    /// Replaces the home's profile with [`profile`].
    pub fn set_profile(&self, work_factor: u8, media: Media<'_>) {
        write_profile(&self.home, work_factor, media);
    }

    /// A passphrase file `TMP/NAME` holding `passphrase` ([`write_passphrase`]).
    pub fn passphrase_file(&self, name: &str, passphrase: &str) -> PathBuf {
        let path = self.root().join(name);
        write_passphrase(&path, passphrase);
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_profile_is_spelled_as_the_layers_wrote_it() {
        let root = Path::new("/tmp/.tmpX");
        assert_eq!(
            profile(10, Media::ExternalUnder(&root.join("media"))),
            "[encryption]\nwork_factor = 10\n[media]\nexternal_roots = [\"/tmp/.tmpX/media/*/*\"]\n"
        );
        assert_eq!(
            profile(14, Media::PlainFoldersAllowed),
            "[encryption]\nwork_factor = 14\n[media]\nrequire_encryption = []\n"
        );
    }

    #[test]
    fn a_passphrase_file_is_the_passphrase_and_a_newline_for_its_owner_only() {
        let c = Clinic::empty();
        let p = c.passphrase_file("pass.txt", "a clinic passphrase");
        assert_eq!(std::fs::read(&p).unwrap(), b"a clinic passphrase\n");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            std::fs::read_to_string(c.home.join("carevault.toml")).unwrap(),
            profile(WORK_FACTOR, Media::ExternalUnder(&c.root().join("media")))
        );
    }
}
