//! Per-device keys on moto with IAM enforced: the policy docs/OFFSITE.md
//! recommends for a tablet, read out of the doc, attached to one IAM user
//! per device; then the real binary pushes with device A's key.

use crate::fixture::*;
use crate::servers::{self, Server, BUCKET};
use crate::support::*;
use carevault_offsite::{Clock, Config, Credentials, RetryPolicy, S3Store};
use std::path::Path;

pub const OTHER_PREFIX: &str = "tablets/other-device/";

/// The tablet's policy of docs/OFFSITE.md step 5, for `prefix`.
pub fn recommended_policy(prefix: &str) -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OFFSITE.md"))
        .expect("docs/OFFSITE.md");
    let block = doc
        .split("```json")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains("OwnPrefixWriteAndReadBack"))
        .expect("the tablet's policy in docs/OFFSITE.md");
    let policy = block
        .replace("moh-carevault", BUCKET)
        .replace("tablets/kibera-hc/3f2a9c0d1e4b5a67/", prefix);
    let _: serde_json::Value = serde_json::from_str(&policy).expect("the doc's policy is JSON");
    policy
}

/// A key of the IAM user `name`.
pub struct Key {
    pub access: String,
    pub secret: String,
}

/// Before enforcement (unauthenticated, as root): the bucket, one IAM user
/// per device with the recommended policy for its prefix, and an auditor
/// that may read everything. Then the free actions are used up with a key
/// that is no IAM user's, until the server refuses it: from there on every
/// request is checked against the policies.
pub fn enforced_setup(s: &Server, devices: &[(&str, &str)]) -> Vec<Key> {
    let mut script = format!("s3.create_bucket(Bucket='{BUCKET}')\nkeys = []\n");
    for (user, prefix) in devices {
        script.push_str(&format!(
            "iam.create_user(UserName='{user}')\nk = iam.create_access_key(UserName='{user}')['AccessKey']\nkeys.append([k['AccessKeyId'], k['SecretAccessKey']])\niam.put_user_policy(UserName='{user}', PolicyName='tablet', PolicyDocument={policy:?})\n",
            policy = recommended_policy(prefix),
        ));
    }
    script.push_str(
        "iam.create_user(UserName='auditor')\nk = iam.create_access_key(UserName='auditor')['AccessKey']\nkeys.append([k['AccessKeyId'], k['SecretAccessKey']])\n",
    );
    script.push_str(&format!(
        "iam.put_user_policy(UserName='auditor', PolicyName='read', PolicyDocument=json.dumps({{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads'], 'Resource': ['arn:aws:s3:::{BUCKET}', 'arn:aws:s3:::{BUCKET}/*']}}]}}))\n"
    ));
    script.push_str(&format!(
        "import botocore\nrefused = False\nfor _ in range({FREE}):\n    try:\n        s3.head_bucket(Bucket='{BUCKET}')\n    except botocore.exceptions.ClientError:\n        refused = True\n        break\nassert refused, 'IAM never enforced'\nprint(json.dumps(keys))\n"
    ));
    let keys: Vec<(String, String)> =
        serde_json::from_str(servers::boto(s, &script).trim()).unwrap();
    keys.into_iter()
        .map(|(access, secret)| Key { access, secret })
        .collect()
}

/// Unauthenticated actions moto allows before it enforces IAM: more than
/// the setup takes; the rest are used up by `enforced_setup`.
pub const FREE: u32 = 40;

/// Runs `script` with the auditor's key (after enforcement).
pub fn as_auditor(s: &Server, auditor: &Key, script: &str) -> String {
    servers::boto(
        s,
        &format!(
            "kw.update(aws_access_key_id='{}', aws_secret_access_key='{}')\ns3 = boto3.client('s3', **kw)\n{script}",
            auditor.access, auditor.secret
        ),
    )
}

/// The keys under `prefix`, as the auditor lists them.
pub fn keys_under(s: &Server, auditor: &Key, prefix: &str) -> Vec<String> {
    let out = as_auditor(
        s,
        auditor,
        &format!(
            "print(json.dumps([o['Key'] for o in s3.list_objects_v2(Bucket='{BUCKET}', Prefix='{prefix}').get('Contents', [])]))\n"
        ),
    );
    serde_json::from_str(out.trim()).unwrap()
}

/// An in-process store with `key` under `prefix`.
pub fn store_with(s: &Server, key: &Key, prefix: &str, journal: &Path) -> S3Store {
    let settings: carevault_core::profile::OffsiteSettings = toml::from_str(&format!(
        "endpoint = \"{}\"\nbucket = \"{BUCKET}\"\npart_size_mib = 5\n",
        s.endpoint()
    ))
    .unwrap();
    S3Store::new(&Config {
        settings,
        prefix: prefix.into(),
        credentials: Credentials {
            access_key: key.access.clone(),
            secret_key: key.secret.clone(),
        },
        journal_dir: journal.to_path_buf(),
        clock: Clock::system(),
        retry: RetryPolicy {
            tries: 2,
            base: std::time::Duration::from_millis(20),
            max: std::time::Duration::from_millis(200),
        },
    })
    .unwrap()
}

#[test]
fn a_tablet_key_with_the_recommended_policy_pushes_its_own_prefix_only_on_moto() {
    let Some(s) = servers::moto("per-device IAM on moto", Some(FREE)) else {
        return;
    };
    let keys = enforced_setup(&s, &[("tablet-a", PREFIX), ("tablet-b", OTHER_PREFIX)]);
    let (a, b, auditor) = (&keys[0], &keys[1], &keys[2]);

    // Device B pushes under its own prefix with its own key.
    let cb = clinic(2, &s.endpoint(), (&b.access, &b.secret), "");
    let profile = cb.home.join("carevault.toml");
    let text = std::fs::read_to_string(&profile).unwrap();
    std::fs::write(&profile, text.replace(PREFIX, OTHER_PREFIX)).unwrap();
    let made_b = cb.backup();
    ok(&push(&cb));
    let name_b = made_b.file_name().unwrap().to_str().unwrap().to_string();

    // Device A: a backup large enough for several 5 MiB parts.
    let ca = clinic(
        130,
        &s.endpoint(),
        (&a.access, &a.secret),
        "[auto]\ninterval_hours = 0\nkeep = 1\n",
    );
    let made = ca.backup();
    let size = std::fs::metadata(&made).unwrap().len();
    assert!(size > 2 * (5 << 20), "{size} bytes make several parts");
    let id = backup_id(&made);
    let name = format!("Backup-{id}.bin");
    let out = push(&ca);
    ok(&out);
    assert_eq!(json(&out)["copied"][0]["id"], id.as_str());
    assert!(marked(&ca).get(&id).is_some(), "recorded as offsite");
    let under_a = keys_under(&s, auditor, PREFIX);
    assert!(
        under_a.contains(&format!("{PREFIX}backups/{name}")),
        "{under_a:?}"
    );
    assert!(
        under_a.contains(&format!("{PREFIX}backups/{name}.json")),
        "sidecar: {under_a:?}"
    );
    assert!(
        under_a
            .iter()
            .any(|k| k.starts_with(&format!("{PREFIX}events/"))
                && k.ends_with(&format!("-{id}.json"))),
        "status event: {under_a:?}"
    );
    let etag = as_auditor(
        &s,
        auditor,
        &format!(
            "print(s3.head_object(Bucket='{BUCKET}', Key='{PREFIX}backups/{name}')['ETag'])\n"
        ),
    );
    assert!(
        etag.trim()
            .trim_matches('"')
            .ends_with(&format!("-{}", size.div_ceil(5 << 20))),
        "a multipart object: {etag}"
    );

    let j = ca.root().join("j");
    let own = store_with(&s, a, PREFIX, &j);
    let other = store_with(&s, a, OTHER_PREFIX, &j);
    let refused = |e: carevault_core::Error| {
        assert_eq!(
            e.kind(),
            carevault_core::Kind::PermissionDenied,
            "{}",
            e.message()
        );
    };
    // A reads its own objects back, not B's. (Listing B's prefix is not
    // checked here: moto 5.2.5 does not evaluate the policy's `s3:prefix`
    // condition, so it lets any key with s3:ListBucket list the bucket.)
    assert!(own.head(&format!("backups/{name}")).unwrap().is_some());
    refused(other.head(&format!("backups/{name_b}")).unwrap_err());
    refused(
        other
            .get_small(&format!("backups/{name_b}.json"), 1 << 20)
            .unwrap_err(),
    );
    // No delete, not even of its own objects; no overwrite.
    use carevault_core::store::Store;
    refused(own.delete(&name).unwrap_err());
    let e = own
        .put_bytes(&format!("backups/{name}.json"), b"{}")
        .unwrap_err();
    assert_eq!(e.kind(), carevault_core::Kind::Exists, "{}", e.message());
    // Nor may A write under B's prefix.
    refused(other.put_bytes("backups/planted.json", b"{}").unwrap_err());
    assert!(keys_under(&s, auditor, PREFIX).contains(&format!("{PREFIX}backups/{name}")));
    assert_eq!(
        keys_under(&s, auditor, OTHER_PREFIX).len(),
        3,
        "B's file, sidecar, event only"
    );

    // The recommended policy has no s3:ListBucketMultipartUploads: status
    // says the key may not list incomplete uploads, and still succeeds.
    let out = run(&["--json", "offsite", "status", "--home", ca.h()]);
    ok(&out);
    assert_eq!(json(&out)["incomplete_uploads"]["state"], "refused");
    let out = run(&["offsite", "status", "--home", ca.h()]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the offsite key may not list them"), "{text}");

    // Retention with offsite configured leaves the server alone.
    ok(&run(&["--json", "auto", "--home", ca.h()]));
    ok(&run(&["--json", "auto", "--home", ca.h()]));
    ok(&push(&ca));
    ok(&run(&["--json", "auto", "--home", ca.h()]));
    assert!(keys_under(&s, auditor, PREFIX).contains(&format!("{PREFIX}backups/{name}")));

    // Through the binary: a tablet whose profile names B's prefix gets a
    // refusal that says so, exit 12, not success.
    let profile = ca.home.join("carevault.toml");
    let text = std::fs::read_to_string(&profile).unwrap();
    std::fs::write(&profile, text.replace(PREFIX, OTHER_PREFIX)).unwrap();
    let dl = ca.root().join("dl");
    let out = run(&[
        "offsite",
        "get",
        &backup_id(&made_b),
        "--to",
        dl.to_str().unwrap(),
        "--home",
        ca.h(),
    ]);
    assert_fails(&out, 12, "refused");
    assert!(!dl.join(&name_b).exists(), "nothing of B's downloaded");
    let planted = ca.backup();
    let out = push_text(&ca);
    assert_fails(&out, 12, "refused");
    assert!(
        marked(&ca).get(backup_id(&planted)).is_none(),
        "a refused push is not recorded as offsite"
    );
    assert_eq!(
        keys_under(&s, auditor, OTHER_PREFIX).len(),
        3,
        "nothing of A's under B's prefix"
    );
}

#[test]
fn a_push_killed_mid_upload_resumes_with_the_recommended_policy_on_moto() {
    // The rerun lists the parts (s3:ListMultipartUploadParts) and sends
    // only the missing ones with nothing but the tablet's key.
    let Some(s) = servers::moto("resume under IAM on moto", Some(FREE)) else {
        return;
    };
    let keys = enforced_setup(&s, &[("tablet-a", PREFIX)]);
    crate::faults::kill_then_resume_with(&s, false, (&keys[0].access, &keys[0].secret));
}
