//! Publishing a batch: preflight against the index (what is there already, what would clash),
//! then uploads with bounded parallelism, retries with backoff, and an index check before any
//! retry whose outcome is unknown. Presentation is left to a [`Reporter`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use shipwheel_dist::{DistKind, RawMetadata};

use crate::oidc::{MintedToken, OidcError, TrustedPublisher};
use crate::read::{IndexClient, ReadError, RemoteFile};
use crate::secret::{Credentials, Secret};
use crate::upload::{
    Digests, ProgressFn, UploadResponse, Uploader, Verdict, classify, describe, form_fields,
    hint_for, server_message,
};

/// A file ready to publish: checked, hashed, metadata read.
#[derive(Clone, Debug)]
pub struct PublishFile {
    pub path: PathBuf,
    pub filename: String,
    pub kind: DistKind,
    /// Project name as in the metadata.
    pub project: String,
    pub version: String,
    pub metadata: RawMetadata,
    pub digests: Digests,
    /// PEP 740 attestations as a JSON array, when sent.
    pub attestations: Option<String>,
}

/// How uploads authenticate.
#[derive(Clone)]
pub enum Auth {
    None,
    Static(Credentials),
    Trusted(Arc<TokenSource>),
}

impl Auth {
    pub fn is_trusted(&self) -> bool {
        matches!(self, Auth::Trusted(_))
    }

    async fn credentials(&self) -> Result<Option<Credentials>, OidcError> {
        match self {
            Auth::None => Ok(None),
            Auth::Static(c) => Ok(Some(c.clone())),
            Auth::Trusted(source) => Ok(Some(Credentials::token(source.token().await?))),
        }
    }
}

/// Called with each freshly minted token (to mask it on GitHub Actions).
pub type OnMint = Arc<dyn Fn(&Secret) + Send + Sync>;

/// A trusted-publishing token, minted again when it would expire within `margin`.
pub struct TokenSource {
    publisher: TrustedPublisher,
    current: tokio::sync::Mutex<Option<MintedToken>>,
    margin: Duration,
    on_mint: OnMint,
}

impl TokenSource {
    pub fn new(publisher: TrustedPublisher, margin: Duration, on_mint: OnMint) -> Self {
        TokenSource {
            publisher,
            current: tokio::sync::Mutex::new(None),
            margin,
            on_mint,
        }
    }

    /// A valid token, minting one when there is none or it is about to expire.
    pub async fn token(&self) -> Result<Secret, OidcError> {
        let mut guard = self.current.lock().await;
        if let Some(t) = guard.as_ref()
            && !t.expires_within(self.margin)
        {
            return Ok(t.token.clone());
        }
        let minted = self.publisher.mint_fresh().await?;
        (self.on_mint)(&minted.token);
        let token = minted.token.clone();
        *guard = Some(minted);
        Ok(token)
    }
}

/// Tuning for uploads (request timeouts belong to the [`Uploader`]).
#[derive(Clone, Debug)]
pub struct UploadOptions {
    pub jobs: usize,
    /// Retries after the first attempt.
    pub retries: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Longest `Retry-After` honoured.
    pub retry_after_max: Duration,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            jobs: 4,
            retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            retry_after_max: Duration::from_secs(120),
        }
    }
}

/// What preflight found for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Not on the index: upload it.
    Missing,
    /// On the index with the same sha256.
    Identical(RemoteFile),
    /// On the index with other bytes: the version must be bumped.
    Different {
        remote: RemoteFile,
        remote_sha256: String,
    },
}

/// A reason the whole batch is refused before any upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A filename on the index has other bytes.
    Conflict {
        filename: String,
        local_sha256: String,
        remote_sha256: String,
    },
    /// The release is older than 14 days on PyPI/TestPyPI.
    ReleaseTooOld {
        project: String,
        version: String,
        first_upload: String,
    },
    /// The release already has another sdist (PyPI allows one per release).
    SecondSdist { filename: String, existing: String },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Conflict {
                filename,
                local_sha256,
                remote_sha256,
            } => write!(
                f,
                "{filename} is already on the index with other content (index sha256 {remote_sha256}, local sha256 {local_sha256}); a filename can never be reused: bump the version and rebuild"
            ),
            Refusal::ReleaseTooOld {
                project,
                version,
                first_upload,
            } => write!(
                f,
                "{project} {version} was first uploaded at {first_upload}, more than 14 days ago; PyPI no longer accepts new files for it: bump the version"
            ),
            Refusal::SecondSdist { filename, existing } => write!(
                f,
                "{filename}: the release already has the sdist {existing} and PyPI accepts one sdist per release"
            ),
        }
    }
}

/// The result of preflight.
#[derive(Clone, Debug)]
pub struct Preflight {
    /// One entry per file, in the order given.
    pub presence: Vec<Presence>,
    pub refusals: Vec<Refusal>,
    /// The index could not be asked (no simple URL): nothing was compared.
    pub unchecked: bool,
    /// The index knew at least one of the projects (its page answered 200), which also proves
    /// the simple URL is right.
    pub project_known: bool,
}

/// Project pages read from the index, by normalized project name: `None` when the index does not
/// know the project (404).
pub type ProjectPages = BTreeMap<String, Option<Vec<RemoteFile>>>;

/// Read the page of every project in `projects` (names in any spelling), all at once, each with
/// retries. Lets a caller ask the index while it still checks the files.
pub async fn fetch_projects(
    client: &IndexClient,
    projects: impl IntoIterator<Item = String>,
) -> Result<ProjectPages, ReadError> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for p in projects {
        names
            .entry(shipwheel_dist::pep::normalize_name(&p))
            .or_insert(p);
    }
    let answers = futures_util::future::join_all(names.into_iter().map(|(key, name)| async move {
        let page = read_with_retries(|| client.project_files(&name)).await;
        (key, page)
    }))
    .await;
    let mut pages = ProjectPages::new();
    for (key, page) in answers {
        pages.insert(key, page?);
    }
    Ok(pages)
}

/// Ask the index what it has for each (project, version) and compare with the local files.
/// `now_unix` and `warehouse` drive the 14-day rule.
pub async fn preflight(
    files: &[PublishFile],
    client: Option<&IndexClient>,
    warehouse: bool,
    now_unix: i64,
) -> Result<Preflight, ReadError> {
    preflight_with(files, client, ProjectPages::new(), warehouse, now_unix).await
}

/// [`preflight`] with some project pages already read (by [`fetch_projects`]); the pages of the
/// other projects are read here.
pub async fn preflight_with(
    files: &[PublishFile],
    client: Option<&IndexClient>,
    mut pages: ProjectPages,
    warehouse: bool,
    now_unix: i64,
) -> Result<Preflight, ReadError> {
    let Some(client) = client else {
        return Ok(Preflight {
            presence: vec![Presence::Missing; files.len()],
            refusals: Vec::new(),
            unchecked: true,
            project_known: false,
        });
    };
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !pages.contains_key(&shipwheel_dist::pep::normalize_name(&f.project)))
        .map(|f| f.project.clone())
        .collect();
    if !missing.is_empty() {
        pages.extend(fetch_projects(client, missing).await?);
    }
    let mut releases: BTreeMap<(String, String), Vec<RemoteFile>> = BTreeMap::new();
    let mut project_known = false;
    for f in files {
        let project = shipwheel_dist::pep::normalize_name(&f.project);
        let page = pages.get(&project).and_then(Option::as_ref);
        project_known |= page.is_some();
        releases
            .entry((project, f.version.clone()))
            .or_insert_with(|| {
                crate::read::filter_release(page.cloned().unwrap_or_default(), &f.version)
            });
    }
    let mut presence = Vec::with_capacity(files.len());
    let mut refusals = Vec::new();
    for f in files {
        let key = (
            shipwheel_dist::pep::normalize_name(&f.project),
            f.version.clone(),
        );
        let remote = releases.get(&key).map(Vec::as_slice).unwrap_or_default();
        let p = compare(client, f, remote).await?;
        if let Presence::Different { remote_sha256, .. } = &p {
            refusals.push(Refusal::Conflict {
                filename: f.filename.clone(),
                local_sha256: f.digests.sha256.clone(),
                remote_sha256: remote_sha256.clone(),
            });
        }
        if p == Presence::Missing
            && f.kind == DistKind::Sdist
            && let Some(existing) = remote.iter().find(|r| {
                r.filename != f.filename
                    && !r.filename.ends_with(".whl")
                    && !r.filename.ends_with(".egg")
            })
        {
            refusals.push(Refusal::SecondSdist {
                filename: f.filename.clone(),
                existing: existing.filename.clone(),
            });
        }
        presence.push(p);
    }
    if warehouse {
        for ((_, version), remote) in &releases {
            let needs_upload = files
                .iter()
                .zip(&presence)
                .any(|(f, p)| *p == Presence::Missing && &f.version == version);
            if !needs_upload {
                continue;
            }
            if let Some(first) = first_upload(remote)
                && now_unix - first.0 > 14 * 24 * 3600
            {
                let project = files
                    .iter()
                    .find(|f| &f.version == version)
                    .map(|f| f.project.clone())
                    .unwrap_or_default();
                refusals.push(Refusal::ReleaseTooOld {
                    project,
                    version: version.clone(),
                    first_upload: first.1,
                });
            }
        }
    }
    Ok(Preflight {
        presence,
        refusals,
        unchecked: false,
        project_known,
    })
}

fn first_upload(remote: &[RemoteFile]) -> Option<(i64, String)> {
    remote
        .iter()
        .filter_map(|r| {
            let text = r.upload_time.as_deref()?;
            let t =
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .ok()?;
            Some((t.unix_timestamp(), text.to_string()))
        })
        .min()
}

async fn compare(
    client: &IndexClient,
    f: &PublishFile,
    remote: &[RemoteFile],
) -> Result<Presence, ReadError> {
    let Some(r) = remote
        .iter()
        .find(|r| r.filename.eq_ignore_ascii_case(&f.filename))
    else {
        return Ok(Presence::Missing);
    };
    let remote_sha = match &r.sha256 {
        Some(h) => h.clone(),
        None => read_with_retries(|| client.sha256_of(&r.url)).await?,
    };
    if remote_sha.eq_ignore_ascii_case(&f.digests.sha256) {
        Ok(Presence::Identical(r.clone()))
    } else {
        Ok(Presence::Different {
            remote: r.clone(),
            remote_sha256: remote_sha,
        })
    }
}

async fn read_with_retries<T, F, Fut>(mut op: F) -> Result<T, ReadError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ReadError>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempt < 3 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200 * (1 << attempt))).await;
            }
            other => return other,
        }
    }
}

/// How one file ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Uploaded,
    AlreadyPresent,
    /// `--dry-run`: would have been uploaded.
    WouldUpload,
    Failed,
    /// Not attempted (e.g. the sdist after a wheel failed).
    NotAttempted,
}

impl FileStatus {
    /// Whether the file is on the index afterwards.
    pub fn is_done(self) -> bool {
        matches!(self, FileStatus::Uploaded | FileStatus::AlreadyPresent)
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct FileOutcome {
    pub filename: String,
    pub path: PathBuf,
    pub status: FileStatus,
    /// Where the index serves the file, when known.
    pub url: Option<String>,
    pub sha256: String,
    pub blake2_256: String,
    pub size: u64,
    pub attempts: u32,
    /// The index's message (verbatim) or the transport error.
    pub message: Option<String>,
    pub hint: Option<String>,
}

impl FileOutcome {
    /// An outcome for `f` with its digests and no attempts yet.
    pub fn new(f: &PublishFile, status: FileStatus) -> Self {
        FileOutcome {
            filename: f.filename.clone(),
            path: f.path.clone(),
            status,
            url: None,
            sha256: f.digests.sha256.clone(),
            blake2_256: f.digests.blake2_256.clone(),
            size: f.digests.size,
            attempts: 0,
            message: None,
            hint: None,
        }
    }
}

/// Presentation hooks; every method has a no-op default.
pub trait Reporter: Send + Sync {
    fn on_start(&self, _index: usize, _file: &PublishFile) {}
    fn on_progress(&self, _index: usize, _sent: u64) {}
    fn on_retry(&self, _index: usize, _attempt: u32, _reason: &str, _wait: Duration) {}
    fn on_done(&self, _index: usize, _outcome: &FileOutcome) {}
}

/// Files already present from preflight, as outcomes.
pub fn present_outcome(f: &PublishFile, remote: &RemoteFile) -> FileOutcome {
    let mut o = FileOutcome::new(f, FileStatus::AlreadyPresent);
    o.url = Some(remote.url.clone());
    o.message = Some("already published, identical".into());
    o
}

/// Upload `todo` (indexes into `files`) with `uploader`: wheels first in parallel, then sdists
/// once every wheel is on the index. Returns one outcome per index in `todo`. With
/// `want_urls`, one listing per release afterwards finds where the index serves each file.
/// The caller builds the [`Uploader`] (loading TLS roots takes a few milliseconds), so it can
/// do that while the files are checked.
#[allow(clippy::too_many_arguments)]
pub async fn upload_all(
    files: Arc<Vec<PublishFile>>,
    todo: Vec<usize>,
    uploader: Uploader,
    checker: Option<IndexClient>,
    auth: Auth,
    opts: &UploadOptions,
    reporter: Arc<dyn Reporter>,
    want_urls: bool,
) -> Vec<(usize, FileOutcome)> {
    let ctx = Arc::new(Ctx {
        files,
        uploader,
        checker,
        auth,
        opts: opts.clone(),
        reporter,
    });
    let (wheels, rest): (Vec<usize>, Vec<usize>) = todo
        .into_iter()
        .partition(|i| ctx.files.get(*i).is_some_and(|f| f.kind == DistKind::Wheel));
    let mut outcomes = run_phase(&ctx, wheels).await;
    let wheels_ok = outcomes.iter().all(|(_, o)| o.status.is_done());
    if wheels_ok {
        outcomes.extend(run_phase(&ctx, rest).await);
    } else {
        for i in rest {
            if let Some(f) = ctx.files.get(i) {
                let mut o = FileOutcome::new(f, FileStatus::NotAttempted);
                o.message = Some("not uploaded because a wheel failed (sdists go last)".into());
                ctx.reporter.on_done(i, &o);
                outcomes.push((i, o));
            }
        }
    }
    if want_urls {
        fill_urls(&ctx, &mut outcomes).await;
    }
    outcomes
}

/// Where the index serves each newly uploaded file: one listing per release, not per file.
async fn fill_urls(ctx: &Ctx, outcomes: &mut [(usize, FileOutcome)]) {
    let Some(client) = &ctx.checker else {
        return;
    };
    let mut releases: BTreeMap<(String, String), &PublishFile> = BTreeMap::new();
    for (i, o) in outcomes.iter() {
        if o.status.is_done()
            && o.url.is_none()
            && let Some(f) = ctx.files.get(*i)
        {
            releases
                .entry((
                    shipwheel_dist::pep::normalize_name(&f.project),
                    f.version.clone(),
                ))
                .or_insert(f);
        }
    }
    let listings = futures_util::future::join_all(
        releases
            .values()
            .map(|f| client.release_files(&f.project, &f.version)),
    )
    .await;
    let remote: Vec<RemoteFile> = listings
        .into_iter()
        .filter_map(|r| r.ok().flatten())
        .flatten()
        .collect();
    for (_, o) in outcomes.iter_mut() {
        if o.status.is_done() && o.url.is_none() {
            o.url = remote
                .iter()
                .find(|r| r.filename.eq_ignore_ascii_case(&o.filename))
                .map(|r| r.url.clone());
        }
    }
}

struct Ctx {
    files: Arc<Vec<PublishFile>>,
    uploader: Uploader,
    checker: Option<IndexClient>,
    auth: Auth,
    opts: UploadOptions,
    reporter: Arc<dyn Reporter>,
}

async fn run_phase(ctx: &Arc<Ctx>, indices: Vec<usize>) -> Vec<(usize, FileOutcome)> {
    let sem = Arc::new(tokio::sync::Semaphore::new(ctx.opts.jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    // Which file each task uploads, so a task that panics or is cancelled still ends as a
    // failed file instead of vanishing from the result.
    let mut task_file = std::collections::HashMap::new();
    for &i in &indices {
        let ctx = ctx.clone();
        let sem = sem.clone();
        let handle = set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            upload_one(&ctx, i).await
        });
        task_file.insert(handle.id(), i);
    }
    let mut out = Vec::with_capacity(indices.len());
    while let Some(joined) = set.join_next_with_id().await {
        let (i, outcome) = match joined {
            Ok((id, outcome)) => (task_file.get(&id).copied(), outcome),
            Err(e) => {
                let i = task_file.get(&e.id()).copied();
                // Only the kind of ending: a panic's payload is not a message for users.
                let why = if e.is_panic() {
                    "its upload task panicked"
                } else {
                    "its upload task was cancelled"
                };
                (i, lost_outcome(ctx, i, &why))
            }
        };
        if let Some(i) = i {
            ctx.reporter.on_done(i, &outcome);
            out.push((i, outcome));
        }
    }
    // Every file handed in ends with an outcome, whatever happened to its task.
    for &i in &indices {
        if !out.iter().any(|(j, _)| *j == i) {
            let o = lost_outcome(ctx, Some(i), &"its upload task did not report");
            ctx.reporter.on_done(i, &o);
            out.push((i, o));
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

/// The outcome of a file whose upload task ended without one (a panic, a cancellation): failed,
/// since nobody saw the index accept it; a re-run asks the index and finishes the job.
fn lost_outcome(ctx: &Ctx, i: Option<usize>, why: &dyn std::fmt::Display) -> FileOutcome {
    let mut o = match i.and_then(|i| ctx.files.get(i)) {
        Some(f) => FileOutcome::new(f, FileStatus::Failed),
        None => unknown_file_outcome(),
    };
    o.message = Some(format!(
        "the upload stopped before the index answered ({why}); the file may or may not be on the index"
    ));
    o.hint = Some(
        "re-run the same command: it asks the index what it has and uploads only what is missing"
            .into(),
    );
    o
}

fn unknown_file_outcome() -> FileOutcome {
    FileOutcome {
        filename: String::new(),
        path: PathBuf::new(),
        status: FileStatus::Failed,
        url: None,
        sha256: String::new(),
        blake2_256: String::new(),
        size: 0,
        attempts: 0,
        message: Some("internal: no such file".into()),
        hint: None,
    }
}

/// What the index has under this file's name now: Some(true) identical, Some(false) other
/// bytes, None not there or unknown.
async fn index_has(ctx: &Ctx, f: &PublishFile) -> Option<(bool, RemoteFile)> {
    let client = ctx.checker.as_ref()?;
    let remote = client.release_files(&f.project, &f.version).await.ok()??;
    match compare(client, f, &remote).await.ok()? {
        Presence::Identical(r) => Some((true, r)),
        Presence::Different { remote, .. } => Some((false, remote)),
        Presence::Missing => None,
    }
}

fn backoff(opts: &UploadOptions, attempt: u32) -> Duration {
    use rand::Rng as _;
    let exp = opts
        .backoff_base
        .saturating_mul(
            1u32.checked_shl(attempt.saturating_sub(1))
                .unwrap_or(u32::MAX),
        )
        .min(opts.backoff_max);
    // Jitter in [exp/2, exp] so parallel jobs do not retry in lockstep.
    let lo = exp / 2;
    let span = (exp - lo).as_millis() as u64;
    lo + Duration::from_millis(rand::rng().random_range(0..=span))
}

async fn upload_one(ctx: &Ctx, i: usize) -> FileOutcome {
    let Some(f) = ctx.files.get(i) else {
        return unknown_file_outcome();
    };
    ctx.reporter.on_start(i, f);
    let mut outcome = FileOutcome::new(f, FileStatus::Failed);
    let fields = match form_fields(
        &f.metadata,
        &f.filename,
        f.kind,
        &f.digests,
        f.attestations.as_deref(),
    ) {
        Ok(fields) => fields,
        Err(e) => {
            outcome.message = Some(format!("cannot build the upload form: {e}"));
            outcome.hint = Some("run `shipwheel check` on the file".into());
            return outcome;
        }
    };
    // Set once a POST may have reached the index without us seeing the answer.
    let mut maybe_uploaded = false;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        outcome.attempts = attempt;
        let credentials = match ctx.auth.credentials().await {
            Ok(c) => c,
            Err(e) => {
                outcome.message = Some(e.to_string());
                return outcome;
            }
        };
        let reporter = ctx.reporter.clone();
        let progress: ProgressFn = Arc::new(move |sent| reporter.on_progress(i, sent));
        let result = ctx
            .uploader
            .post(
                &f.path,
                &f.filename,
                f.digests.size,
                &fields,
                credentials.as_ref(),
                Some(progress),
            )
            .await;
        let (reason, wait) = match result {
            Ok(resp) => match classify(&resp) {
                Verdict::Uploaded => {
                    outcome.status = FileStatus::Uploaded;
                    return outcome;
                }
                Verdict::AlreadyIdentical => {
                    outcome.status = if maybe_uploaded {
                        FileStatus::Uploaded
                    } else {
                        FileStatus::AlreadyPresent
                    };
                    outcome.message = Some(server_message(&resp));
                    return outcome;
                }
                Verdict::Exists => {
                    return exists_outcome(ctx, f, outcome, &resp, maybe_uploaded).await;
                }
                Verdict::Rejected => {
                    outcome.message = Some(describe(&resp));
                    outcome.hint = hint_for(&resp, ctx.auth.is_trusted());
                    return outcome;
                }
                Verdict::Retry => {
                    // A 5xx may come after the index stored the file.
                    if resp.status >= 500 {
                        maybe_uploaded = true;
                    }
                    let wait = resp
                        .retry_after
                        .map(|w| w.min(ctx.opts.retry_after_max))
                        .unwrap_or_else(|| backoff(&ctx.opts, attempt));
                    (describe(&resp), wait)
                }
            },
            Err(e) => {
                if e.maybe_sent {
                    maybe_uploaded = true;
                }
                (e.message.clone(), backoff(&ctx.opts, attempt))
            }
        };
        // Before sending again, ask the index whether the last attempt landed.
        if maybe_uploaded && let Some((identical, remote)) = index_has(ctx, f).await {
            if identical {
                outcome.status = FileStatus::Uploaded;
                outcome.url = Some(remote.url);
                outcome.message = Some(format!(
                    "confirmed on the index after an interrupted attempt ({reason})"
                ));
                return outcome;
            }
            outcome.message = Some(format!("{} is on the index with other content", f.filename));
            outcome.hint = Some("a filename can never be reused: bump the version".into());
            return outcome;
        }
        if attempt > ctx.opts.retries {
            outcome.message = Some(format!(
                "gave up after {attempt} attempt{}: {reason}",
                if attempt == 1 { "" } else { "s" }
            ));
            outcome.hint = Some("the index or the network failed repeatedly; re-run the same command later to finish".into());
            return outcome;
        }
        ctx.reporter.on_retry(i, attempt, &reason, wait);
        tokio::time::sleep(wait).await;
    }
}

async fn exists_outcome(
    ctx: &Ctx,
    f: &PublishFile,
    mut outcome: FileOutcome,
    resp: &UploadResponse,
    maybe_uploaded: bool,
) -> FileOutcome {
    match index_has(ctx, f).await {
        Some((true, remote)) => {
            outcome.status = if maybe_uploaded {
                FileStatus::Uploaded
            } else {
                FileStatus::AlreadyPresent
            };
            outcome.url = Some(remote.url);
            outcome.message = Some("already published, identical".into());
        }
        Some((false, _)) => {
            outcome.message = Some(describe(resp));
            outcome.hint =
                Some("the index has this filename with other content: bump the version".into());
        }
        None => {
            outcome.message = Some(describe(resp));
            outcome.hint = Some(
                "the index says the file exists but shipwheel cannot read the index to compare it; pass --index-url with the index's simple URL"
                    .into(),
            );
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let opts = UploadOptions {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..UploadOptions::default()
        };
        for attempt in 1..40 {
            let w = backoff(&opts, attempt);
            assert!(w <= Duration::from_millis(1000), "{attempt}: {w:?}");
        }
        let w1 = backoff(&opts, 1);
        assert!(w1 >= Duration::from_millis(50) && w1 <= Duration::from_millis(100));
        let w4 = backoff(&opts, 4);
        assert!(w4 >= Duration::from_millis(400));
    }

    #[test]
    fn refusal_messages_say_what_to_do() {
        let r = Refusal::Conflict {
            filename: "a-1.whl".into(),
            local_sha256: "aa".into(),
            remote_sha256: "bb".into(),
        };
        let t = r.to_string();
        assert!(t.contains("bump the version") && t.contains("aa") && t.contains("bb"));
        let r = Refusal::ReleaseTooOld {
            project: "a".into(),
            version: "1".into(),
            first_upload: "2020-01-01T00:00:00Z".into(),
        };
        assert!(r.to_string().contains("14 days"));
    }

    #[test]
    fn first_upload_picks_the_oldest() {
        let f = |t: Option<&str>| RemoteFile {
            filename: "x".into(),
            url: String::new(),
            sha256: None,
            size: None,
            upload_time: t.map(str::to_string),
            yanked: false,
            version: None,
            yanked_reason: None,
            requires_python: None,
        };
        let got = first_upload(&[
            f(Some("2026-01-02T00:00:00Z")),
            f(None),
            f(Some("2026-01-01T00:00:00.123456Z")),
            f(Some("garbage")),
        ])
        .unwrap();
        assert_eq!(got.1, "2026-01-01T00:00:00.123456Z");
        assert_eq!(first_upload(&[f(None)]), None);
    }
}
