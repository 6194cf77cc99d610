//! Writes an encrypted `SB\x01BK` SanteDB backup of a clinic with a large
//! clinical database, for `scripts/bench-import.sh`.
//!
//!     make_santedb_fixture OUT.bin PASSPHRASE MEGABYTES
//!
//! Prints one line: `<ciphertext offset> <key hex> <iv hex>`, what the
//! `openssl enc -d` baseline needs.

#[path = "../tests/common/writer.rs"]
mod writer;

use writer::{Entry, Spec, Version};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (out, pass, mb) = (&args[1], &args[2], args[3].parse::<usize>().unwrap());
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("santedb.sqlite");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=DELETE; PRAGMA page_size=4096;
         CREATE TABLE ent_tbl(ent_id BLOB PRIMARY KEY, cls_cd TEXT, name TEXT, note TEXT);",
    )
    .unwrap();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let words = [
        "BCG",
        "measles",
        "weight",
        "height",
        "fever",
        "malaria",
        "referral",
        "ok",
        "dose",
        "follow-up",
    ];
    let tx = c.unchecked_transaction().unwrap();
    let mut i = 0u64;
    while (i * 420) < (mb as u64) << 20 {
        let id: Vec<u8> = (0..2).flat_map(|_| next().to_le_bytes()).collect();
        let note: String = (0..40)
            .map(|_| words[(next() % words.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        tx.execute(
            "INSERT INTO ent_tbl VALUES (?1, 'Patient', ?2, ?3)",
            (&id, format!("Patient {i} {:x}", next()), note),
        )
        .unwrap();
        i += 1;
    }
    tx.commit().unwrap();
    drop(c);
    let db = std::fs::read(&path).unwrap();
    let clinical = "fb444942-4276-427c-a09c-9c65769837f0";
    let streams = "e915f19b-82a6-45e9-85f2-13a4a04500d5";
    let mut entries = vec![Entry {
        class: Some(clinical),
        name: "santedb.sqlite#sqlite".into(),
        payload: writer::env_v3("santedb.sqlite", &db),
    }];
    for k in 0..20 {
        let photo: Vec<u8> = (0..2 << 20).map(|_| next() as u8).collect();
        entries.push(Entry {
            class: Some(streams),
            name: format!("00000000-0000-0000-0000-{k:012}"),
            payload: photo,
        });
    }
    let spec = Spec::new(Version::Sb1Bk, entries, Some(pass));
    let bytes = writer::write(&spec);
    std::fs::write(out, &bytes).unwrap();
    let at = 5 + 8 + 1 + spec.creator.len() + 8 + 272 * spec.entries.len() + 16;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    println!("{} {} {}", at, hex(&writer::key(pass)), hex(&spec.iv));
}
