//! The embedded PyPI-compatible index behind `shipwheel serve`.
//!
//! Read side (no auth): the simple API as PEP 503 HTML and PEP 691 JSON (content negotiation by
//! `Accept` or `?format=`), PEP 700 fields, PEP 592 yanks, PEP 658/714 metadata files, PyPI's
//! JSON API, and downloads with ranges. Write side: the legacy upload endpoint at `/legacy/`,
//! judging every file with the same rules as `shipwheel check` and answering with PyPI's status
//! codes and status-line messages. Storage is a plain directory (see [`store`]).
//!
//! In-process use (tests): [`Server::start`] runs the server on its own runtime thread and
//! returns a [`RunningServer`] that stops it when dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use shipwheel_dist::CheckOptions;
use shipwheel_index::Secret;

mod form;
mod http;
mod inspect;
mod render;
pub mod store;
mod upload;

pub use store::{FileRecord, Store};

/// How long requests in flight may take to finish once shutdown is asked for.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// How to run the server.
#[derive(Clone)]
pub struct ServerConfig {
    /// Where files are stored (created when missing).
    pub root: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Upload tokens (`__token__` + one of these). Empty: uploads are open to anyone who can
    /// reach the server.
    pub tokens: Vec<Secret>,
    /// Options for the rule engine that judges uploads (its `max_file_size` is the size limit).
    pub check: CheckOptions,
    /// Limit on the total size of a project's files, as PyPI's `MAX_PROJECT_SIZE`.
    pub max_project_size: u64,
}

/// PyPI's default total size limit for one project: 10 GiB.
pub const DEFAULT_MAX_PROJECT_SIZE: u64 = 10 * 1024 * 1024 * 1024;

impl ServerConfig {
    /// Loopback on a free port, open uploads, default limits.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ServerConfig {
            root: root.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            tokens: Vec::new(),
            // Judged as `shipwheel check` judges with no flags.
            check: shipwheel_python::default_options(),
            max_project_size: DEFAULT_MAX_PROJECT_SIZE,
        }
    }

    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.tokens.push(token.into());
        self
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("root", &self.root)
            .field("bind", &self.bind)
            .field("tokens", &self.tokens)
            .field("max_project_size", &self.max_project_size)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot use {path} as the store: {source}")]
    Store {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
}

/// A bound server that has not started answering yet (see [`Server::bind`]).
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<http::AppState>,
    addr: SocketAddr,
}

impl Server {
    /// Open the store and bind the listener (inside a Tokio runtime).
    pub async fn bind(config: ServerConfig) -> Result<Server, ServeError> {
        let store = Store::open(&config.root).map_err(|source| ServeError::Store {
            path: config.root.clone(),
            source,
        })?;
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| ServeError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: config.bind,
            source,
        })?;
        let state = Arc::new(http::AppState {
            store: Arc::new(store),
            tokens: config.tokens,
            check: config.check,
            max_project_size: config.max_project_size,
            addr,
        });
        Ok(Server {
            listener,
            state,
            addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve until `shutdown` completes. Requests in flight then get [`SHUTDOWN_GRACE`] to
    /// finish (a client stalled mid-upload must not keep the server alive); an upload cut off
    /// this way leaves nothing behind.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = http::router(self.state);
        let (fired_tx, fired_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown.await;
            let _ = fired_tx.send(());
        };
        let serve = axum::serve(self.listener, app).with_graceful_shutdown(signal);
        let grace = async move {
            match fired_rx.await {
                Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            result = async move { serve.await } => result,
            () = grace => {
                tracing::warn!("stopping with requests still in flight");
                Ok(())
            }
        }
    }

    /// Start on a thread with its own runtime; the returned handle stops it on drop. Works
    /// from synchronous code and from inside another runtime alike.
    pub fn start(config: ServerConfig) -> Result<RunningServer, ServeError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<SocketAddr, ServeError>>();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("shipwheel-serve".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(ServeError::Runtime(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let server = match Server::bind(config).await {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(server.local_addr()));
                    let shutdown = async move {
                        let _ = rx.await;
                    };
                    if let Err(err) = server.run(shutdown).await {
                        tracing::error!("server stopped: {err}");
                    }
                });
            })
            .map_err(ServeError::Runtime)?;
        let addr = match ready_rx.recv() {
            Ok(Ok(addr)) => addr,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(ServeError::Runtime(std::io::Error::other(
                    "the server thread exited before it was ready",
                )));
            }
        };
        Ok(RunningServer {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }
}

/// A server running on its own thread. Dropping it (or [`RunningServer::stop`]) shuts it down.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The simple index URL, `http://127.0.0.1:PORT/simple/`.
    pub fn index_url(&self) -> String {
        format!("{}/simple/", self.url())
    }

    /// The upload URL, `http://127.0.0.1:PORT/legacy/`.
    pub fn upload_url(&self) -> String {
        format!("{}/legacy/", self.url())
    }

    /// Stop and wait for the server thread to finish.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_never_shows_a_token() {
        let config = ServerConfig::new("/tmp/x").token("SENTINEL-serve-token");
        let debug = format!("{config:?}");
        assert!(!debug.contains("SENTINEL"), "{debug}");
        assert!(debug.contains("****"), "{debug}");
    }
}
