use super::*;
use crate::NoProgress;

fn stores(dir: &Path) -> Vec<Box<dyn Store>> {
    vec![
        Box::new(FolderStore::new(dir.join("folder"), "Folder")),
        Box::new(MemoryStore::new()),
    ]
}

fn file_with(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn put_list_read_delete_behave_alike_in_every_store() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let src = file_with(tmp.path(), "src", &data);
    for s in stores(tmp.path()) {
        s.put("a.bin", &src, &NoProgress).unwrap();
        assert_eq!(
            s.list().unwrap(),
            vec![StoredObject {
                name: "a.bin".into(),
                size: data.len() as u64
            }],
            "{}",
            s.location()
        );
        let mut buf = vec![0u8; 100];
        assert_eq!(s.read_at("a.bin", 9_950, &mut buf).unwrap(), 50);
        assert_eq!(&buf[..50], &data[9_950..]);
        assert_eq!(s.read_at("a.bin", 20_000, &mut buf).unwrap(), 0);
        s.delete("a.bin").unwrap();
        assert!(s.list().unwrap().is_empty());
        assert_eq!(s.delete("a.bin").unwrap_err().kind(), Kind::NotFound);
        assert_eq!(
            s.read_at("a.bin", 0, &mut buf).unwrap_err().kind(),
            Kind::NotFound
        );
    }
}

#[test]
fn put_never_overwrites_an_existing_name() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let first = file_with(tmp.path(), "first", b"first");
    let second = file_with(tmp.path(), "second", b"second, longer");
    for s in stores(tmp.path()) {
        s.put("x.bin", &first, &NoProgress).unwrap();
        let e = s.put("x.bin", &second, &NoProgress).unwrap_err();
        assert_eq!(e.kind(), Kind::Exists, "{}", s.location());
        let mut buf = vec![0u8; 64];
        let n = s.read_at("x.bin", 0, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"first");
    }
}

#[test]
fn folder_put_leaves_no_temporary_and_lists_only_backups() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("folder");
    std::fs::create_dir(&dir).unwrap();
    let src = file_with(tmp.path(), "src", b"bytes");
    let s = FolderStore::new(&dir, "Folder");
    s.put("b.bin", &src, &NoProgress).unwrap();
    std::fs::write(dir.join("notes.txt"), b"x").unwrap();
    std::fs::write(dir.join(".hidden.bin"), b"x").unwrap();
    std::os::unix::fs::symlink(&src, dir.join("link.bin")).unwrap();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(crate::fsutil::TEMP_PREFIX))
        .collect();
    assert!(names.is_empty(), "temporaries left: {names:?}");
    let listed: Vec<String> = s.list().unwrap().into_iter().map(|o| o.name).collect();
    assert_eq!(listed, vec!["b.bin".to_string()]);
    let mut buf = [0u8; 4];
    assert!(
        s.read_at("link.bin", 0, &mut buf).is_err(),
        "a link is never followed"
    );
}

#[test]
fn names_that_leave_the_store_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let src = file_with(tmp.path(), "src", b"bytes");
    for s in stores(tmp.path()) {
        for bad in [
            "../x.bin",
            "/etc/x.bin",
            "",
            "a/../b.bin",
            "a\\b.bin",
            "a\nb.bin",
        ] {
            let e = s.put(bad, &src, &NoProgress).unwrap_err();
            assert_eq!(e.kind(), Kind::Usage, "{bad:?} in {}", s.location());
        }
    }
    assert!(!tmp.path().join("x.bin").exists());
}

#[test]
fn fetch_resumes_a_partial_copy() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let data: Vec<u8> = (0..(FETCH_BLOCK as u32 + 5000))
        .map(|i| (i % 253) as u8)
        .collect();
    let src = file_with(tmp.path(), "src", &data);
    for (i, s) in stores(tmp.path()).into_iter().enumerate() {
        s.put("c.bin", &src, &NoProgress).unwrap();
        let to = tmp.path().join(format!("down{i}"));
        // A partial copy from an earlier, interrupted run.
        std::fs::write(&to, &data[..1234]).unwrap();
        s.fetch("c.bin", data.len() as u64, &to, &NoProgress)
            .unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), data);
        // A copy longer than the object is refused, not truncated.
        let e = s.fetch("c.bin", 10, &to, &NoProgress).unwrap_err();
        assert_eq!(e.kind(), Kind::Usage);
    }
}

#[test]
fn fetch_never_appends_through_a_link_planted_under_the_partial_name() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let src = file_with(tmp.path(), "src", b"backup bytes");
    let victim = file_with(tmp.path(), "device-secret", b"secret");
    let s = MemoryStore::new();
    s.put("d.bin", &src, &NoProgress).unwrap();
    // A symbolic link under the partial's name.
    let to = tmp.path().join("partial");
    std::os::unix::fs::symlink(&victim, &to).unwrap();
    let e = s.fetch("d.bin", 12, &to, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::Io, "{e}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"secret");
    // A hard link under the partial's name.
    std::fs::remove_file(&to).unwrap();
    std::fs::hard_link(&victim, &to).unwrap();
    let e = s.fetch("d.bin", 12, &to, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), Kind::UnsafeArchive, "{e}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"secret");
    // A fresh partial is made 0600.
    std::fs::remove_file(&to).unwrap();
    s.fetch("d.bin", 12, &to, &NoProgress).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&to).unwrap().permissions().mode() & 0o777,
        0o600
    );
}
