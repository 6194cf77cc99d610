//! [`S3Store`]: the core's `Store` on a bucket, under this tablet's prefix.
//!
//! Backups are `<prefix>backups/<file name>`; beside them the store also
//! writes small create-only objects (a backup's sidecar, status events)
//! through [`S3Store::put_bytes`].

use crate::http::{sign, Body, Client};
use crate::Config;
use carevault_core::error::{Error, Kind, Result};
use carevault_core::i18n::{t, Lang};
use carevault_core::store::{check_name, StoredObject};
use carevault_core::Progress;
use md5::Digest as _;
use std::path::{Path, PathBuf};
use ureq::http::Method;

/// What the store says about one object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObjectInfo {
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag (quotes removed).
    pub etag: String,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// Its key, relative to the store's prefix.
    pub name: String,
    /// Its size in bytes, as listed.
    pub size: u64,
    /// Its ETag as listed (quotes removed).
    pub etag: String,
}

/// A bucket of an S3-compatible service, under one tablet's prefix.
pub struct S3Store {
    client: Client,
    prefix: String,
    part_size: u64,
    journal_dir: PathBuf,
}

/// HEAD of `key`: `None` when it does not exist.
pub(crate) fn head(client: &Client, key: &str) -> Result<Option<ObjectInfo>> {
    let signer =
        |t: &jiff02::Timestamp| sign(client.bucket.head_object(Some(&client.creds), key), &[], t);
    let reply = client.send(
        &t!("offsite-what-reading-details"),
        key,
        Method::HEAD,
        &signer,
        &[],
        &Body::Empty,
    )?;
    match reply.status {
        200 => {
            let size = reply
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| {
                    Error::new(
                        Kind::Unreachable,
                        t!("offsite-no-size", location = &client.location, key = key),
                        t!("offsite-run-again-advice"),
                    )
                })?;
            let etag = crate::multipart::unquote(reply.header("etag").unwrap_or("")).to_string();
            Ok(Some(ObjectInfo { size, etag }))
        }
        404 => Ok(None),
        _ => Err(reply.error(&client.location, &t!("offsite-what-reading-details"), key)),
    }
}

impl S3Store {
    /// A store for `cfg`.
    pub fn new(cfg: &Config) -> Result<S3Store> {
        Ok(S3Store {
            client: Client::new(cfg)?,
            prefix: cfg.prefix.clone(),
            part_size: cfg.settings.part_size(),
            journal_dir: cfg.journal_dir.clone(),
        })
    }

    /// This tablet's key prefix.
    /// The part size of multipart uploads (bytes).
    pub fn part_size(&self) -> u64 {
        self.part_size
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key of the backup file `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{}backups/{name}", self.prefix)
    }

    /// The clock correction learnt from the server, in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.client.clock_offset()
    }

    /// The journal of an unfinished upload of `name`, if any.
    pub fn journal_path(&self, name: &str) -> PathBuf {
        crate::journal::path(&self.journal_dir, name)
    }

    /// Size and ETag of `<prefix><rel>`, `None` when absent.
    pub fn head(&self, rel: &str) -> Result<Option<ObjectInfo>> {
        check_name(rel)?;
        head(&self.client, &format!("{}{rel}", self.prefix))
    }

    /// [`carevault_core::store::Store::put`] that also says what the store
    /// holds: the size and ETag, both checked against the local file.
    pub fn put_checked(
        &self,
        name: &str,
        from: &Path,
        progress: &dyn Progress,
    ) -> Result<ObjectInfo> {
        self.put_checked_with(name, from, None, progress)
    }

    /// [`S3Store::put_checked`] with the MD5 of each [`S3Store::part_size`]
    /// slice of `from` already known (read by the caller from the same open
    /// file): the upload then does not read the whole file once more to
    /// compute them. MD5s that are not the file's are refused by the store
    /// (Content-MD5) or by the ETag check, never stored as the backup.
    pub fn put_checked_with(
        &self,
        name: &str,
        from: &Path,
        part_md5s: Option<&[[u8; 16]]>,
        progress: &dyn Progress,
    ) -> Result<ObjectInfo> {
        check_name(name)?;
        let key = self.key(name);
        let _held = crate::journal::lock(&self.journal_dir, name)?;
        crate::multipart::upload(
            &self.client,
            &key,
            name,
            from,
            self.part_size,
            &self.journal_dir,
            part_md5s,
            progress,
        )
    }

    /// Puts `bytes` as `<prefix><rel>`, create-only, with Content-MD5.
    pub fn put_bytes(&self, rel: &str, bytes: &[u8]) -> Result<ObjectInfo> {
        check_name(rel)?;
        let key = format!("{}{rel}", self.prefix);
        let md5: [u8; 16] = md5::Md5::digest(bytes).into();
        crate::multipart::put_small(
            &self.client,
            &key,
            &Body::Bytes(bytes),
            md5,
            bytes.len() as u64,
        )
    }

    /// Reads the whole small object `<prefix><rel>` (at most `max` bytes).
    pub fn get_small(&self, rel: &str, max: u64) -> Result<Vec<u8>> {
        check_name(rel)?;
        let key = format!("{}{rel}", self.prefix);
        let signer = |t: &jiff02::Timestamp| {
            sign(
                self.client
                    .bucket
                    .get_object(Some(&self.client.creds), &key),
                &[],
                t,
            )
        };
        let reply = self.client.send(
            &t!("offsite-what-reading"),
            &key,
            Method::GET,
            &signer,
            &[],
            &Body::Empty,
        )?;
        if reply.status != 200 {
            return Err(reply.error(&self.client.location, &t!("offsite-what-reading"), &key));
        }
        if reply.body.len() as u64 > max {
            return Err(Error::new(
                Kind::Corrupted,
                t!(
                    "offsite-object-too-large",
                    location = &self.client.location,
                    key = key.as_str()
                ),
                t!("offsite-object-too-large-advice"),
            ));
        }
        Ok(reply.body)
    }

    /// Every object key under `<prefix><sub>`, with sizes.
    pub fn list_under(&self, sub: &str) -> Result<Vec<StoredObject>> {
        Ok(self
            .list_detailed(sub)?
            .into_iter()
            .map(|o| StoredObject {
                name: o.name,
                size: o.size,
            })
            .collect())
    }

    /// Every object key under `<prefix><sub>` (relative to the prefix),
    /// with sizes and ETags; keys that are not safe names are left out.
    pub fn list_detailed(&self, sub: &str) -> Result<Vec<ListedObject>> {
        let mut all = Vec::new();
        self.list_pages(sub, |page| {
            all.extend(page);
            Ok(())
        })?;
        Ok(all)
    }

    /// [`S3Store::list_detailed`] one page (up to 1,000 keys) at a time,
    /// so a listing of a whole fleet is never held in memory at once.
    pub fn list_pages(
        &self,
        sub: &str,
        mut each: impl FnMut(Vec<ListedObject>) -> Result<()>,
    ) -> Result<()> {
        let base = format!("{}{sub}", self.prefix);
        let mut token: Option<String> = None;
        for _page in 0..10_000 {
            let signer = |t: &jiff02::Timestamp| {
                let mut a = self.client.bucket.list_objects_v2(Some(&self.client.creds));
                a.with_prefix(base.as_str());
                if let Some(tok) = &token {
                    a.with_continuation_token(tok.as_str());
                }
                sign(a, &[], t)
            };
            let reply = self.client.send(
                &t!("offsite-what-listing"),
                &base,
                Method::GET,
                &signer,
                &[],
                &Body::Empty,
            )?;
            if reply.status != 200 {
                return Err(reply.error(&self.client.location, &t!("offsite-what-listing"), &base));
            }
            let parsed = rusty_s3::actions::ListObjectsV2::parse_response(
                &String::from_utf8_lossy(&reply.body),
            )
            .map_err(|e| {
                Error::new(
                    Kind::Unreachable,
                    t!(
                        "offsite-listing-unreadable",
                        location = &self.client.location,
                        error = e.to_string()
                    ),
                    t!("offsite-listing-unreadable-advice"),
                )
            })?;
            let mut out = Vec::with_capacity(parsed.contents.len());
            for c in parsed.contents {
                if let Some(rest) = c.key.strip_prefix(&base) {
                    if check_name(rest).is_ok() {
                        out.push(ListedObject {
                            name: rest.to_string(),
                            size: c.size.unwrap_or(0),
                            etag: crate::multipart::unquote(c.etag.as_deref().unwrap_or(""))
                                .to_string(),
                        });
                    }
                }
            }
            each(out)?;
            match parsed.next_continuation_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(()),
            }
        }
        Ok(())
    }
}

/// One level of a listing with delimiter `/`: the objects directly in a
/// folder and the folders in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Level {
    /// Objects directly in the folder (names relative to the prefix).
    pub objects: Vec<ListedObject>,
    /// Folders in it (relative to the prefix, ending in `/`); names that
    /// are not safe keys are left out and counted in `unsafe_names`.
    pub folders: Vec<String>,
    /// Keys and folders left out because they are not safe names.
    pub unsafe_names: u64,
    /// Listing requests made.
    pub requests: u64,
}

impl S3Store {
    /// One level of `<prefix><sub>` (`sub` empty or ending in `/`), with
    /// delimiter `/` and, with `after`, only the keys after
    /// `<prefix><after>` (S3's `start-after`). A delimiter lets a server
    /// answer from that folder alone, and many folders can be listed at
    /// once where one continuation-token listing is strictly sequential.
    pub fn list_level(&self, sub: &str, after: Option<&str>) -> Result<Level> {
        let base = format!("{}{sub}", self.prefix);
        let after = after.map(|a| format!("{}{a}", self.prefix));
        let mut token: Option<String> = None;
        let mut level = Level::default();
        for _page in 0..10_000 {
            let signer = |t: &jiff02::Timestamp| {
                let mut a = self.client.bucket.list_objects_v2(Some(&self.client.creds));
                a.with_prefix(base.as_str());
                a.with_delimiter("/");
                if let Some(after) = &after {
                    a.with_start_after(after.as_str());
                }
                if let Some(tok) = &token {
                    a.with_continuation_token(tok.as_str());
                }
                sign(a, &[], t)
            };
            let reply = self.client.send(
                &t!("offsite-what-listing"),
                &base,
                Method::GET,
                &signer,
                &[],
                &Body::Empty,
            )?;
            level.requests += 1;
            if reply.status != 200 {
                return Err(reply.error(&self.client.location, &t!("offsite-what-listing"), &base));
            }
            let parsed = rusty_s3::actions::ListObjectsV2::parse_response(
                &String::from_utf8_lossy(&reply.body),
            )
            .map_err(|e| {
                Error::new(
                    Kind::Unreachable,
                    t!(
                        "offsite-listing-unreadable",
                        location = &self.client.location,
                        error = e.to_string()
                    ),
                    t!("offsite-listing-unreadable-advice"),
                )
            })?;
            for c in parsed.contents {
                match c.key.strip_prefix(&base) {
                    Some(rest) if check_name(rest).is_ok() && !rest.contains('/') => {
                        level.objects.push(ListedObject {
                            name: format!("{sub}{rest}"),
                            size: c.size.unwrap_or(0),
                            etag: crate::multipart::unquote(c.etag.as_deref().unwrap_or(""))
                                .to_string(),
                        })
                    }
                    _ => level.unsafe_names += 1,
                }
            }
            for p in parsed.common_prefixes {
                match p
                    .prefix
                    .strip_prefix(&base)
                    .and_then(|r| r.strip_suffix('/'))
                {
                    Some(rest) if !rest.contains('/') && check_name(rest).is_ok() => {
                        level.folders.push(format!("{sub}{rest}/"))
                    }
                    _ => level.unsafe_names += 1,
                }
            }
            match parsed.next_continuation_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(level),
            }
        }
        Ok(level)
    }

    /// A bucket-level setting (`GET /bucket?<sub>`, e.g. `versioning`):
    /// the status and body of the answer, whatever its status.
    pub fn bucket_setting(&self, sub: &str) -> Result<(u16, Vec<u8>)> {
        use rusty_s3::S3Action as _;
        let signer = |t: &jiff02::Timestamp| {
            let mut a = self.client.bucket.get_object(Some(&self.client.creds), "");
            a.query_mut().insert(sub.to_string(), String::new());
            sign(a, &[], t)
        };
        let reply = self.client.send(
            &t!("offsite-what-reading-setting"),
            sub,
            Method::GET,
            &signer,
            &[],
            &Body::Empty,
        )?;
        Ok((reply.status, reply.body))
    }

    /// The client (for the modules that make their own requests).
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Where this tablet's upload journals are.
    pub(crate) fn journal_dir(&self) -> &Path {
        &self.journal_dir
    }

    /// A store on the same bucket under another prefix (one device's).
    pub fn with_prefix(cfg: &Config, prefix: &str) -> Result<S3Store> {
        let mut cfg = cfg.clone();
        cfg.prefix = prefix.to_string();
        S3Store::new(&cfg)
    }
}

impl carevault_core::store::Store for S3Store {
    fn location(&self) -> String {
        // The trait's location goes into the audit trail too: English.
        format!(
            "{} under {}",
            self.client.location.render(Lang::En),
            self.prefix
        )
    }

    fn list(&self) -> Result<Vec<StoredObject>> {
        Ok(self
            .list_under("backups/")?
            .into_iter()
            .filter(|o| o.name.ends_with(".bin") && !o.name.contains('/'))
            .collect())
    }

    fn read_at(&self, name: &str, offset: u64, buf: &mut [u8]) -> Result<usize> {
        check_name(name)?;
        if buf.is_empty() {
            return Ok(0);
        }
        let key = self.key(name);
        let headers = [(
            "range",
            format!("bytes={offset}-{}", offset + buf.len() as u64 - 1),
        )];
        let signer = |t: &jiff02::Timestamp| {
            sign(
                self.client
                    .bucket
                    .get_object(Some(&self.client.creds), &key),
                &[],
                t,
            )
        };
        let reply = self.client.send(
            &t!("offsite-what-download"),
            &key,
            Method::GET,
            &signer,
            &headers,
            &Body::Empty,
        )?;
        let data: &[u8] = match reply.status {
            206 => &reply.body,
            // The whole object, range ignored.
            200 => reply.body.get(offset as usize..).unwrap_or(&[]),
            416 => &[],
            _ => {
                return Err(reply.error(&self.client.location, &t!("offsite-what-download"), &key))
            }
        };
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        Ok(n)
    }

    fn put(&self, name: &str, from: &Path, progress: &dyn Progress) -> Result<()> {
        self.put_checked(name, from, progress).map(|_| ())
    }

    fn delete(&self, name: &str) -> Result<()> {
        check_name(name)?;
        let key = self.key(name);
        let signer = |t: &jiff02::Timestamp| {
            sign(
                self.client
                    .bucket
                    .delete_object(Some(&self.client.creds), &key),
                &[],
                t,
            )
        };
        let reply = self.client.send(
            &t!("offsite-what-deleting"),
            &key,
            Method::DELETE,
            &signer,
            &[],
            &Body::Empty,
        )?;
        match reply.status {
            200 | 204 => Ok(()),
            _ => Err(reply.error(&self.client.location, &t!("offsite-what-deleting"), &key)),
        }
    }
}
