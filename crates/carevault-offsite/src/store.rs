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

/// The store's answer about one object or folder: what it holds, or its
/// refusal of that one key. A refusal is a 4xx about the key asked (an
/// archived object, one encrypted with a key of its writer's, ...), never
/// one about the access key, the signature, the bucket or the link: those
/// are errors (`Err`) of the call.
#[derive(Debug)]
pub enum Answer<T> {
    Got(T),
    Refused(Error),
}

impl<T> Answer<T> {
    /// The refusal as an error, for callers that treat both alike.
    pub fn or_error(self) -> Result<T> {
        match self {
            Answer::Got(v) => Ok(v),
            Answer::Refused(e) => Err(e),
        }
    }
}

/// S3 error codes about the access key, the signature, the clock or the
/// bucket: they would answer every request alike.
const KEY_LEVEL_CODES: &[&str] = &[
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "NoSuchBucket",
    "InvalidBucketName",
    "RequestTimeTooSkewed",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "AccountProblem",
    "AllAccessDisabled",
    "AuthorizationHeaderMalformed",
];

/// Whether an answer of `status` with the S3 code `code` is about the one
/// key asked. Of a listing, a 403 (AccessDenied) is the access key's
/// missing right to list, not the folder's.
pub(crate) fn about_the_key_asked(status: u16, code: &str, listing: bool) -> bool {
    (400..500).contains(&status)
        && !matches!(status, 408 | 429)
        && !KEY_LEVEL_CODES.contains(&code)
        && !(listing && (status == 403 || code == "AccessDenied"))
}

/// HEAD of `key`: `None` when it does not exist.
pub(crate) fn head(client: &Client, key: &str) -> Result<Option<ObjectInfo>> {
    head_answer(client, key)?.or_error()
}

/// [`head`], with a refusal of this one key as an [`Answer`].
fn head_answer(client: &Client, key: &str) -> Result<Answer<Option<ObjectInfo>>> {
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
            Ok(Answer::Got(Some(ObjectInfo { size, etag })))
        }
        404 => Ok(Answer::Got(None)),
        status => {
            let e = reply.error(&client.location, &t!("offsite-what-reading-details"), key);
            if about_the_key_asked(status, &reply.code().unwrap_or_default(), false) {
                Ok(Answer::Refused(e))
            } else {
                Err(e)
            }
        }
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

    /// [`S3Store::head`], with the store's refusal of this one key as an
    /// [`Answer`] (the fleet reader records it and goes on).
    pub fn head_answer(&self, rel: &str) -> Result<Answer<Option<ObjectInfo>>> {
        check_name(rel)?;
        head_answer(&self.client, &format!("{}{rel}", self.prefix))
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
        self.get_small_answer(rel, max)?.or_error()
    }

    /// [`S3Store::get_small`], with the store's refusal of this one key,
    /// and an object larger than `max`, as an [`Answer`].
    pub fn get_small_answer(&self, rel: &str, max: u64) -> Result<Answer<Vec<u8>>> {
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
            let e = reply.error(&self.client.location, &t!("offsite-what-reading"), &key);
            return if about_the_key_asked(reply.status, &reply.code().unwrap_or_default(), false) {
                Ok(Answer::Refused(e))
            } else {
                Err(e)
            };
        }
        if reply.body.len() as u64 > max {
            return Ok(Answer::Refused(Error::new(
                Kind::Corrupted,
                t!(
                    "offsite-object-too-large",
                    location = &self.client.location,
                    key = key.as_str()
                ),
                t!("offsite-object-too-large-advice"),
            )));
        }
        Ok(Answer::Got(reply.body))
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

/// One page of a listing with delimiter `/`: the objects directly in a
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

/// A folder listing stops with an error after this many pages (10 million
/// keys at 1,000 a page), never returns as if it were whole.
pub const MAX_LEVEL_PAGES: usize = 10_000;

/// One ListObjectsV2 answer as the page loop reads it: each key with its
/// size and ETag, each folder (common prefix), and the continuation token.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawPage {
    pub contents: Vec<(String, u64, String)>,
    pub prefixes: Vec<String>,
    pub next: Option<String>,
}

/// A listing the store's answers did not let end: `why` is one of
/// `token-repeats`, `no-new-key`, `too-many-pages`.
fn listing_broken(location: &carevault_core::i18n::Text, key: &str, why: &str) -> Error {
    let message = match why {
        "token-repeats" => t!(
            "offsite-listing-token-repeats",
            location = location,
            key = key
        ),
        "no-new-key" => t!("offsite-listing-no-new-key", location = location, key = key),
        _ => t!(
            "offsite-listing-too-many-pages",
            location = location,
            key = key,
            pages = MAX_LEVEL_PAGES.to_string()
        ),
    };
    Error::new(
        Kind::Unreachable,
        message,
        t!("offsite-listing-broken-advice"),
    )
}

/// The page loop of [`S3Store::list_level`], apart from the HTTP: `fetch`
/// gets the page of a continuation token, `each` each page as it comes
/// (keys relative to the prefix). Keys at or before `after` (a full key)
/// or at or before the last key of an earlier page are dropped: S3 sends
/// none of them (a server that ignores `start-after` sends them all, and
/// they are not read again). A token that repeats, a truncated page with
/// no key after the earlier pages' keys, or [`MAX_LEVEL_PAGES`] pages end
/// it with an error.
pub(crate) fn level_pages(
    location: &carevault_core::i18n::Text,
    prefix: &str,
    sub: &str,
    after: Option<&str>,
    mut fetch: impl FnMut(Option<&str>) -> Result<Answer<RawPage>>,
    mut each: impl FnMut(Level) -> Result<()>,
) -> Result<Answer<()>> {
    let base = format!("{prefix}{sub}");
    let mut token: Option<String> = None;
    // The greatest key (or folder) of the pages so far.
    let mut seen: Option<String> = None;
    for _page in 0..MAX_LEVEL_PAGES {
        let page = match fetch(token.as_deref())? {
            Answer::Got(p) => p,
            Answer::Refused(e) => return Ok(Answer::Refused(e)),
        };
        // Handed on: keys after `after` and after every earlier page's.
        let floor = match (after, seen.as_deref()) {
            (Some(a), Some(s)) => Some(a.max(s).to_string()),
            (a, s) => a.or(s).map(str::to_string),
        };
        let behind = |k: &str| floor.as_deref().is_some_and(|f| k <= f);
        let before = seen.clone();
        let mut level = Level {
            requests: 1,
            ..Level::default()
        };
        let newest = |k: &str, seen: &mut Option<String>| {
            if seen.as_deref().is_none_or(|l| k > l) {
                *seen = Some(k.to_string());
            }
        };
        for (key, size, etag) in page.contents {
            newest(&key, &mut seen);
            if behind(&key) {
                continue;
            }
            match key.strip_prefix(&base) {
                Some(rest) if check_name(rest).is_ok() && !rest.contains('/') => {
                    level.objects.push(ListedObject {
                        name: format!("{sub}{rest}"),
                        size,
                        etag,
                    })
                }
                _ => level.unsafe_names += 1,
            }
        }
        for p in page.prefixes {
            newest(&p, &mut seen);
            if behind(&p) {
                continue;
            }
            match p.strip_prefix(&base).and_then(|r| r.strip_suffix('/')) {
                Some(rest) if !rest.contains('/') && check_name(rest).is_ok() => {
                    level.folders.push(format!("{sub}{rest}/"))
                }
                _ => level.unsafe_names += 1,
            }
        }
        let moved = seen != before;
        each(level)?;
        match page.next {
            Some(t) if !t.is_empty() => {
                if token.as_deref() == Some(t.as_str()) {
                    return Err(listing_broken(location, &base, "token-repeats"));
                }
                if !moved {
                    return Err(listing_broken(location, &base, "no-new-key"));
                }
                token = Some(t);
            }
            _ => return Ok(Answer::Got(())),
        }
    }
    Err(listing_broken(location, &base, "too-many-pages"))
}

impl S3Store {
    /// One level of `<prefix><sub>` (`sub` empty or ending in `/`), with
    /// delimiter `/` and, with `after`, only the keys after
    /// `<prefix><after>` (S3's `start-after`), handed to `each` a page
    /// (up to 1,000 keys) at a time. A delimiter lets a server answer from
    /// that folder alone, and many folders can be listed at once where one
    /// continuation-token listing is strictly sequential. A listing the
    /// store refuses for this folder alone is an [`Answer::Refused`]; see
    /// [`level_pages`] for the answers that end it with an error.
    pub fn list_level(
        &self,
        sub: &str,
        after: Option<&str>,
        each: impl FnMut(Level) -> Result<()>,
    ) -> Result<Answer<()>> {
        let base = format!("{}{sub}", self.prefix);
        let after_key = after.map(|a| format!("{}{a}", self.prefix));
        let fetch = |token: Option<&str>| -> Result<Answer<RawPage>> {
            let signer = |t: &jiff02::Timestamp| {
                let mut a = self.client.bucket.list_objects_v2(Some(&self.client.creds));
                a.with_prefix(base.as_str());
                a.with_delimiter("/");
                if let Some(after) = &after_key {
                    a.with_start_after(after.as_str());
                }
                if let Some(tok) = token {
                    a.with_continuation_token(tok);
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
                let e = reply.error(&self.client.location, &t!("offsite-what-listing"), &base);
                return if about_the_key_asked(reply.status, &reply.code().unwrap_or_default(), true)
                {
                    Ok(Answer::Refused(e))
                } else {
                    Err(e)
                };
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
            Ok(Answer::Got(RawPage {
                contents: parsed
                    .contents
                    .into_iter()
                    .map(|c| {
                        let etag =
                            crate::multipart::unquote(c.etag.as_deref().unwrap_or("")).to_string();
                        (c.key, c.size.unwrap_or(0), etag)
                    })
                    .collect(),
                prefixes: parsed
                    .common_prefixes
                    .into_iter()
                    .map(|p| p.prefix)
                    .collect(),
                next: parsed.next_continuation_token,
            }))
        };
        level_pages(
            &self.client.location,
            &self.prefix,
            sub,
            after_key.as_deref(),
            fetch,
            each,
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(keys: &[&str], next: Option<&str>) -> Result<Answer<RawPage>> {
        Ok(Answer::Got(RawPage {
            contents: keys
                .iter()
                .map(|k| (k.to_string(), 1, "e".to_string()))
                .collect(),
            prefixes: Vec::new(),
            next: next.map(str::to_string),
        }))
    }

    /// The page loop over `pages` (answered in turn, the last one again
    /// and again): the keys handed on, or the error's message ID.
    fn walk(
        after: Option<&str>,
        pages: Vec<(Vec<&str>, Option<&str>)>,
    ) -> (Vec<String>, usize, std::result::Result<(), String>) {
        let mut asked = 0;
        let mut got = Vec::new();
        let r = level_pages(
            &t!("offsite-what-listing"),
            "t/",
            "f/",
            after,
            |_token| {
                let (keys, next) = &pages[asked.min(pages.len() - 1)];
                asked += 1;
                page(keys, *next)
            },
            |level| {
                got.extend(level.objects.into_iter().map(|o| o.name));
                Ok(())
            },
        );
        let r = match r {
            Ok(Answer::Got(())) => Ok(()),
            Ok(Answer::Refused(e)) | Err(e) => Err(e.message_text().id().to_string()),
        };
        (got, asked, r)
    }

    #[test]
    fn list_level_stops_when_the_continuation_token_repeats() {
        let (got, asked, r) = walk(
            None,
            vec![(vec!["t/f/a"], Some("x")), (vec!["t/f/b"], Some("x"))],
        );
        assert_eq!(r, Err("offsite-listing-token-repeats".into()));
        assert_eq!((got, asked), (vec!["f/a".into(), "f/b".into()], 2));
    }

    #[test]
    fn list_level_stops_when_a_truncated_page_brings_no_new_key() {
        // A server that cycles between two tokens over the same keys.
        let (got, _, r) = walk(
            None,
            vec![
                (vec!["t/f/a", "t/f/b"], Some("x")),
                (vec!["t/f/a", "t/f/b"], Some("y")),
            ],
        );
        assert_eq!(r, Err("offsite-listing-no-new-key".into()));
        assert_eq!(got, ["f/a", "f/b"], "the repeated keys are not handed on");
    }

    #[test]
    fn list_level_reaching_the_page_cap_is_an_error_not_a_whole_listing() {
        let keys: Vec<String> = (0..MAX_LEVEL_PAGES + 1)
            .map(|i| format!("t/f/{i:06}"))
            .collect();
        let tokens: Vec<String> = (0..MAX_LEVEL_PAGES + 1).map(|i| format!("{i}")).collect();
        let mut asked = 0;
        let r = level_pages(
            &t!("offsite-what-listing"),
            "t/",
            "f/",
            None,
            |_| {
                asked += 1;
                page(
                    &[keys[asked - 1].as_str()],
                    Some(tokens[asked - 1].as_str()),
                )
            },
            |_| Ok(()),
        );
        let e = r.expect_err("a listing that does not end is not whole");
        assert_eq!(e.message_text().id(), "offsite-listing-too-many-pages");
        assert_eq!(asked, MAX_LEVEL_PAGES);
    }

    #[test]
    fn list_level_drops_keys_at_or_before_start_after_that_the_server_sends_anyway() {
        let (got, _, r) = walk(
            Some("t/f/b"),
            vec![
                (vec!["t/f/a", "t/f/b", "t/f/c"], Some("x")),
                (vec!["t/f/d"], None),
            ],
        );
        assert_eq!(r, Ok(()));
        assert_eq!(got, ["f/c", "f/d"]);
    }

    #[test]
    fn only_answers_about_the_key_asked_are_refusals_of_one_object() {
        assert!(about_the_key_asked(403, "InvalidObjectState", false));
        assert!(
            about_the_key_asked(400, "", false),
            "SSE-C: 400, no body on HEAD"
        );
        assert!(about_the_key_asked(403, "AccessDenied", false));
        assert!(
            !about_the_key_asked(403, "AccessDenied", true),
            "a listing's is the key's"
        );
        assert!(about_the_key_asked(400, "InvalidArgument", true));
        for code in [
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId",
            "NoSuchBucket",
        ] {
            assert!(!about_the_key_asked(403, code, false), "{code}");
        }
        assert!(!about_the_key_asked(429, "", false));
        assert!(!about_the_key_asked(503, "SlowDown", false));
    }
}
