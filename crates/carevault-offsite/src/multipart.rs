//! Create-only uploads: one PUT for a small file, a journalled multipart
//! upload for a larger one. Every request carries Content-MD5; the finished
//! object's ETag is compared with the one computed here and its size is
//! read back with HEAD before the upload counts.

use crate::http::{sign, Body, Client};
use crate::journal::{self, Journal, PartRecord};
use crate::store::ObjectInfo;
use base64::Engine as _;
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::t;
use carevault_core::Progress;
use md5::Digest as _;
use std::io::Read;
use std::path::Path;
use ureq::http::Method;

/// The most parts S3 accepts.
const MAX_PARTS: u64 = 10_000;

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

pub(crate) fn unquote(etag: &str) -> &str {
    etag.trim().trim_matches('"')
}

/// MD5 of each `part_size` slice of the file.
pub(crate) fn part_md5s(path: &Path, size: u64, part_size: u64) -> Result<Vec<[u8; 16]>> {
    let mut f = carevault_core::fsutil::open_regular_following(path)
        .map_err(|e| crate::fail::io(t!("offsite-doing-opening-upload"), path, e))?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let this = left.min(part_size);
        let mut h = md5::Md5::new();
        let mut n = this;
        while n > 0 {
            let want = n.min(buf.len() as u64) as usize;
            f.read_exact(&mut buf[..want])
                .map_err(|e| crate::fail::io(t!("offsite-doing-reading-upload"), path, e))?;
            h.update(&buf[..want]);
            n -= want as u64;
        }
        out.push(h.finalize().into());
        left -= this;
    }
    if out.is_empty() {
        out.push(md5::Md5::digest(b"").into());
    }
    Ok(out)
}

/// The ETag S3 gives an object made of parts with these MD5s.
pub(crate) fn multipart_etag(md5s: &[[u8; 16]]) -> String {
    let mut h = md5::Md5::new();
    for m in md5s {
        h.update(m);
    }
    format!("{}-{}", hex::encode(h.finalize()), md5s.len())
}

fn damaged_kept(client: &Client, key: &str) -> Error {
    Error::new(
        Kind::Corrupted,
        t!(
            "offsite-damaged-kept",
            location = &client.location,
            key = key
        ),
        t!("offsite-damaged-object-advice"),
    )
}

fn changed_under_us(path: &Path) -> Error {
    Error::new(
        Kind::Io,
        t!("offsite-changed-during-upload"),
        t!("offsite-changed-during-upload-advice"),
    )
    .at(path)
}

/// Checks that the stored object is the one we sent: size and ETag.
fn check_stored(
    client: &Client,
    key: &str,
    found: Option<ObjectInfo>,
    size: u64,
    etag: &str,
) -> Result<ObjectInfo> {
    let info = found.ok_or_else(|| {
        Error::new(
            Kind::Unreachable,
            t!(
                "offsite-not-listed-after",
                location = &client.location,
                key = key
            ),
            t!("offsite-run-again-advice"),
        )
    })?;
    if info.size != size || unquote(&info.etag) != etag {
        return Err(Error::new(
            Kind::Exists,
            t!(
                "offsite-holds-other",
                location = &client.location,
                key = key,
                size = info.size.to_string(),
                etag = unquote(&info.etag),
                our_size = size.to_string(),
                our_etag = etag
            ),
            t!("offsite-holds-other-advice"),
        ));
    }
    Ok(info)
}

/// One create-only PUT with Content-MD5.
pub(crate) fn put_small(
    client: &Client,
    key: &str,
    body: &Body<'_>,
    md5: [u8; 16],
    size: u64,
) -> Result<ObjectInfo> {
    let headers = [
        ("content-md5", b64(&md5)),
        ("if-none-match", "*".to_string()),
    ];
    let signer = |t: &jiff02::Timestamp| {
        sign(
            client.bucket.put_object(Some(&client.creds), key),
            &headers,
            t,
        )
    };
    let reply = client.send(
        &t!("offsite-what-upload"),
        key,
        Method::PUT,
        &signer,
        &headers,
        body,
    )?;
    let want = hex::encode(md5);
    match reply.status {
        200 => {
            let got = reply.header("etag").map(unquote).unwrap_or("").to_string();
            if !got.is_empty() && got != want {
                // A store that does not check Content-MD5 kept what arrived.
                return Err(Error::new(
                    Kind::Corrupted,
                    t!(
                        "offsite-stored-wrong-md5",
                        location = &client.location,
                        key = key,
                        got = got.as_str(),
                        want = want.as_str()
                    ),
                    t!("offsite-damaged-object-advice"),
                ));
            }
        }
        // Already there: ours (an earlier try whose answer was lost) only
        // if it is byte for byte the same.
        412 => {}
        _ => return Err(reply.error(&client.location, &t!("offsite-what-upload"), key)),
    }
    let found = crate::store::head(client, key)?;
    let checked = check_stored(client, key, found, size, &want);
    if reply.bad_digest_before && checked.is_err() {
        // Some stores (s3s-fs 0.14) refuse a damaged body with BadDigest
        // yet keep it under the key: our retry then meets that object.
        return Err(damaged_kept(client, key));
    }
    checked
}

/// Uploads the file at `path` as `key`, create-only; resumes from the
/// journal of `name` in `journal_dir`. `known`: the MD5 of each
/// `part_size` slice, when the caller has read them already (used only
/// when there is one per part of the file's current size).
#[allow(clippy::too_many_arguments)]
pub(crate) fn upload(
    client: &Client,
    key: &str,
    name: &str,
    path: &Path,
    part_size: u64,
    journal_dir: &Path,
    known: Option<&[[u8; 16]]>,
    progress: &dyn Progress,
) -> Result<ObjectInfo> {
    let size = std::fs::metadata(path)
        .map_err(|e| crate::fail::io(t!("offsite-doing-reading-size"), path, e))?
        .len();
    let md5s = match known {
        Some(k) if k.len() as u64 == parts_of(size, part_size) => k.to_vec(),
        _ => part_md5s(path, size, part_size)?,
    };
    let want = if size <= part_size {
        hex::encode(md5s[0])
    } else {
        multipart_etag(&md5s)
    };
    // Already there: done if it is this file (a run stopped before it
    // recorded the copy), refused if it is another one.
    if let Some(found) = crate::store::head(client, key)? {
        let info = check_stored(client, key, Some(found), size, &want)?;
        journal::remove(journal_dir, name);
        return Ok(info);
    }
    progress.start(carevault_core::Phase::Upload, size);
    if size <= part_size {
        let body = Body::File {
            path,
            offset: 0,
            len: size,
            progress,
        };
        let info = put_small(client, key, &body, md5s[0], size)?;
        journal::remove(journal_dir, name);
        return Ok(info);
    }
    if size.div_ceil(part_size) > MAX_PARTS {
        return Err(Error::new(
            Kind::Usage,
            t!(
                "offsite-too-many-parts",
                parts = MAX_PARTS,
                part_size = part_size.to_string()
            ),
            t!("offsite-too-many-parts-advice"),
        ));
    }
    for _restart in 0..3 {
        match try_multipart(
            client,
            key,
            name,
            path,
            size,
            part_size,
            &md5s,
            journal_dir,
            progress,
        )? {
            Some(info) => return Ok(info),
            // The store forgot the upload (NoSuchUpload): start again.
            None => journal::remove(journal_dir, name),
        }
    }
    Err(Error::new(
        Kind::Unreachable,
        t!(
            "offsite-kept-losing",
            location = &client.location,
            key = key
        ),
        t!("offsite-kept-losing-advice"),
    ))
}

fn no_such_upload(reply: &crate::http::Reply) -> bool {
    reply.status == 404 && reply.code().as_deref() != Some("NoSuchKey")
}

#[allow(clippy::too_many_arguments)]
fn try_multipart(
    client: &Client,
    key: &str,
    name: &str,
    path: &Path,
    size: u64,
    part_size: u64,
    md5s: &[[u8; 16]],
    journal_dir: &Path,
    progress: &dyn Progress,
) -> Result<Option<ObjectInfo>> {
    let hexes: Vec<String> = md5s.iter().map(hex::encode).collect();
    let mut j = match journal::load(journal_dir, name) {
        Some(j) if j.key == key && j.size == size && j.part_size == part_size => j,
        _ => {
            let signer = |t: &jiff02::Timestamp| {
                sign(
                    client
                        .bucket
                        .create_multipart_upload(Some(&client.creds), key),
                    &[],
                    t,
                )
            };
            let reply = client.send(
                &t!("offsite-what-starting-upload"),
                key,
                Method::POST,
                &signer,
                &[],
                &Body::Empty,
            )?;
            if reply.status != 200 {
                return Err(reply.error(
                    &client.location,
                    &t!("offsite-what-starting-upload"),
                    key,
                ));
            }
            let text = String::from_utf8_lossy(&reply.body);
            let id = crate::http::xml_field(&text, "UploadId")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    Error::new(
                        Kind::Unreachable,
                        t!(
                            "offsite-no-upload-id",
                            location = &client.location,
                            key = key
                        ),
                        t!("offsite-run-again-advice"),
                    )
                })?;
            let j = Journal {
                key: key.to_string(),
                upload_id: id,
                size,
                part_size,
                parts: Default::default(),
            };
            journal::save(journal_dir, name, &j)?;
            j
        }
    };
    // A journalled part counts only if it is this file's part.
    j.parts
        .retain(|n, p| *n >= 1 && hexes.get(*n as usize - 1).is_some_and(|h| *h == p.md5));
    // Where the store lists the parts, trust the store over the journal.
    let listed = {
        let upload_id = j.upload_id.clone();
        let signer = |t: &jiff02::Timestamp| {
            sign(
                client
                    .bucket
                    .list_parts(Some(&client.creds), key, &upload_id),
                &[],
                t,
            )
        };
        let reply = client.send(
            &t!("offsite-what-listing-parts"),
            key,
            Method::GET,
            &signer,
            &[],
            &Body::Empty,
        )?;
        match reply.status {
            200 => Some(
                rusty_s3::actions::ListParts::parse_response(&String::from_utf8_lossy(&reply.body))
                    .ok(),
            ),
            _ if no_such_upload(&reply) => return Ok(None),
            // No ListParts on this store (or not allowed): the journal.
            _ => None,
        }
    };
    if let Some(Some(list)) = listed {
        let mut parts = std::collections::BTreeMap::new();
        for p in list.parts {
            let n = p.number as usize;
            if n >= 1 && n <= hexes.len() && unquote(&p.etag) == hexes[n - 1] {
                parts.insert(
                    p.number,
                    PartRecord {
                        etag: p.etag.clone(),
                        md5: hexes[n - 1].clone(),
                    },
                );
            }
        }
        // ListParts pages at 1,000 parts: keep journalled parts past a page.
        for (n, p) in &j.parts {
            parts.entry(*n).or_insert_with(|| p.clone());
        }
        j.parts = parts;
    }
    let done: u64 = j.parts.keys().map(|n| part_len(size, part_size, *n)).sum();
    progress.advance(done);
    for (i, md5) in md5s.iter().enumerate() {
        let n = (i + 1) as u16;
        if j.parts.contains_key(&n) {
            continue;
        }
        let offset = i as u64 * part_size;
        let len = part_len(size, part_size, n);
        let headers = [("content-md5", b64(md5))];
        let upload_id = j.upload_id.clone();
        let signer = |t: &jiff02::Timestamp| {
            sign(
                client
                    .bucket
                    .upload_part(Some(&client.creds), key, n, &upload_id),
                &headers,
                t,
            )
        };
        let body = Body::File {
            path,
            offset,
            len,
            progress,
        };
        // A part may be sent again (the same number replaces it): a part
        // the store kept damaged is sent up to three times.
        let mut etag = String::new();
        for _ in 0..3 {
            let reply = client.send(
                &t!("offsite-what-uploading-part"),
                key,
                Method::PUT,
                &signer,
                &headers,
                &body,
            )?;
            if no_such_upload(&reply) {
                return Ok(None);
            }
            if reply.status != 200 {
                return Err(reply.error(&client.location, &t!("offsite-what-uploading-part"), key));
            }
            etag = reply.header("etag").unwrap_or("").to_string();
            if unquote(&etag) == hexes[i] {
                break;
            }
        }
        if unquote(&etag) != hexes[i] {
            return Err(Error::new(
                Kind::Corrupted,
                t!(
                    "offsite-part-wrong-md5",
                    location = &client.location,
                    part = n,
                    key = key,
                    etag = unquote(&etag)
                ),
                t!("offsite-part-wrong-md5-advice"),
            ));
        }
        j.parts.insert(
            n,
            PartRecord {
                etag,
                md5: hexes[i].clone(),
            },
        );
        journal::save(journal_dir, name, &j)?;
    }
    if std::fs::metadata(path).map(|m| m.len()).ok() != Some(size) {
        return Err(changed_under_us(path));
    }
    let want = multipart_etag(md5s);
    let etags: Vec<String> = j
        .parts
        .values()
        .map(|p| format!("\"{}\"", unquote(&p.etag)))
        .collect();
    let headers = [("if-none-match", "*".to_string())];
    let upload_id = j.upload_id.clone();
    let complete = || {
        client.bucket.complete_multipart_upload(
            Some(&client.creds),
            key,
            &upload_id,
            etags.iter().map(String::as_str),
        )
    };
    let xml = complete().body();
    let signer = |t: &jiff02::Timestamp| sign(complete(), &headers, t);
    let reply = client.send(
        &t!("offsite-what-finishing-upload"),
        key,
        Method::POST,
        &signer,
        &headers,
        &Body::Bytes(xml.as_bytes()),
    )?;
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    match reply.status {
        200 if text.contains("<Error>") => {
            let code = crate::http::xml_field(&text, "Code").unwrap_or_default();
            return Err(Error::new(
                Kind::Unreachable,
                t!(
                    "offsite-not-finished",
                    location = &client.location,
                    key = key,
                    code = code
                ),
                t!("offsite-not-finished-advice"),
            ));
        }
        200 => {
            let got = crate::http::xml_field(&text, "ETag").unwrap_or_default();
            if unquote(&got) != want {
                return Err(Error::new(
                    Kind::Unreachable,
                    t!(
                        "offsite-finished-wrong-etag",
                        location = &client.location,
                        key = key,
                        got = unquote(&got),
                        want = want.as_str()
                    ),
                    t!("offsite-run-again-advice"),
                ));
            }
        }
        // 412: already there (ours if an earlier answer was lost, checked
        // below); 404: the upload is gone, perhaps because it finished.
        412 | 404 => {}
        _ => return Err(reply.error(&client.location, &t!("offsite-what-finishing-upload"), key)),
    }
    let found = crate::store::head(client, key)?;
    if reply.status == 404 && found.is_none() {
        return Ok(None);
    }
    let checked = check_stored(client, key, found, size, &want);
    if checked.is_err() {
        abort(client, key, &upload_id);
    }
    journal::remove(journal_dir, name);
    checked.map(Some)
}

/// How many parts a file of `size` makes (one for an empty file).
pub(crate) fn parts_of(size: u64, part_size: u64) -> u64 {
    size.div_ceil(part_size.max(1)).max(1)
}

fn part_len(size: u64, part_size: u64, n: u16) -> u64 {
    let start = (n as u64 - 1) * part_size;
    size.saturating_sub(start).min(part_size)
}

/// Abandons an upload (best effort: a put-only key may not be allowed to;
/// the bucket's lifecycle rule removes it after 7 days).
fn abort(client: &Client, key: &str, upload_id: &str) {
    let signer = |t: &jiff02::Timestamp| {
        sign(
            client
                .bucket
                .abort_multipart_upload(Some(&client.creds), key, upload_id),
            &[],
            t,
        )
    };
    let _ = client.send(
        &t!("offsite-what-abandoning-upload"),
        key,
        Method::DELETE,
        &signer,
        &[],
        &Body::Empty,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_etag_is_the_md5_of_the_part_md5s_and_the_count() {
        let a: [u8; 16] = md5::Md5::digest(b"part one").into();
        let b: [u8; 16] = md5::Md5::digest(b"part two").into();
        let mut joined = a.to_vec();
        joined.extend_from_slice(&b);
        let want = format!("{}-2", hex::encode(md5::Md5::digest(&joined)));
        assert_eq!(multipart_etag(&[a, b]), want);
        assert_eq!(unquote("\"abc-2\""), "abc-2");
    }

    #[test]
    fn part_lengths_cover_the_file() {
        assert_eq!(part_len(12, 5, 1), 5);
        assert_eq!(part_len(12, 5, 3), 2);
        assert_eq!(part_len(10, 5, 2), 5);
    }
}
