//! A loopback TCP proxy that adds a fixed one-way delay to every byte, like `netem delay`, so
//! the upload benchmarks can show what round trips to a remote index cost without leaving the
//! machine. No bandwidth cap; a new connection's first bytes wait one extra round trip, as the
//! TCP handshake of a real connection would make them.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Largest chunk read at once, and how many chunks may wait in one direction (a bound on memory
/// that also gives the sender backpressure, as a TCP window would).
const CHUNK: usize = 64 * 1024;
const QUEUED_CHUNKS: usize = 256;

/// Forwards every connection made to [`DelayProxy::addr`] to `upstream`; stops on drop.
pub struct DelayProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    stop: AtomicBool,
    conns: Mutex<Vec<Conn>>,
}

/// One proxied connection: its two sockets (kept to shut them down on stop) and its four
/// threads (a reader and a writer per direction).
struct Conn {
    sockets: [TcpStream; 2],
    threads: Vec<JoinHandle<()>>,
}

impl Shared {
    fn conns(&self) -> MutexGuard<'_, Vec<Conn>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a reader hands its writer; each carries the instant it is due at the other end.
enum Item {
    Data(Instant, Vec<u8>),
    /// The source closed its write side: shut down the destination's write side.
    Eof(Instant),
    /// The source failed (reset): close the destination both ways.
    Reset(Instant),
}

impl DelayProxy {
    /// Listen on 127.0.0.1 (free port) and forward to `upstream`, which must be a loopback
    /// address, delaying each direction by `one_way` (round trip = 2 × `one_way`).
    pub fn start(upstream: SocketAddr, one_way: Duration) -> anyhow::Result<DelayProxy> {
        if !upstream.ip().is_loopback() {
            anyhow::bail!("the delay proxy forwards to loopback only, not to {upstream}");
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("delay-proxy-accept".into())
                .spawn(move || accept_loop(&listener, upstream, one_way, &shared))?
        };
        Ok(DelayProxy {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; if even that connect fails, leave the thread be rather than
        // wait forever for it.
        let woke = TcpStream::connect(self.addr).is_ok();
        if let Some(accept) = self.accept.take()
            && woke
        {
            let _ = accept.join();
        }
        let conns = std::mem::take(&mut *self.shared.conns());
        // Shutting the sockets down ends every reader (EOF or error) and every writer (its queue
        // ends or its write fails), each within one delay.
        for conn in &conns {
            for socket in &conn.sockets {
                let _ = socket.shutdown(Shutdown::Both);
            }
        }
        for conn in conns {
            for thread in conn.threads {
                let _ = thread.join();
            }
        }
    }
}

fn accept_loop(listener: &TcpListener, upstream: SocketAddr, one_way: Duration, shared: &Shared) {
    for incoming in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = incoming else {
            // E.g. out of file descriptors: back off instead of spinning.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let accepted = Instant::now();
        // Drop connections whose threads are all done (their sockets close with them).
        shared
            .conns()
            .retain(|c| !c.threads.iter().all(JoinHandle::is_finished));
        match connect(client, upstream, one_way, accepted) {
            Ok(conn) => shared.conns().push(conn),
            // The client sees its connection close, as with a refused upstream.
            Err(e) => eprintln!("delay proxy: cannot forward a connection: {e}"),
        }
    }
}

fn connect(
    client: TcpStream,
    upstream: SocketAddr,
    one_way: Duration,
    accepted: Instant,
) -> io::Result<Conn> {
    let server = TcpStream::connect(upstream)?;
    // The proxy's own writes must not wait for ACKs (Nagle), or it would add delays of its own;
    // the clients' and the server's socket options stay theirs.
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    // A real connect costs one round trip before the client can send: its bytes leave no
    // earlier than 2·D after the connection started. The server's bytes can leave no earlier
    // than the client's ACK reaches it (3·D).
    let mut threads = pipe(&client, &server, accepted + 2 * one_way, one_way)?;
    threads.extend(pipe(&server, &client, accepted + 3 * one_way, one_way)?);
    Ok(Conn {
        sockets: [client, server],
        threads,
    })
}

/// Copy `src` to `dst` with every chunk delivered `delay` after it was read (or after
/// `not_before`, whichever is later), keeping order, and pass on EOF and resets the same way.
fn pipe(
    src: &TcpStream,
    dst: &TcpStream,
    not_before: Instant,
    delay: Duration,
) -> io::Result<Vec<JoinHandle<()>>> {
    let (tx, rx) = sync_channel::<Item>(QUEUED_CHUNKS);
    let reader_src = src.try_clone()?;
    let writer_src = src.try_clone()?;
    let mut writer_dst = dst.try_clone()?;
    let reader = std::thread::Builder::new()
        .name("delay-proxy-read".into())
        .spawn(move || read_side(reader_src, &tx, not_before, delay))?;
    let writer = std::thread::Builder::new()
        .name("delay-proxy-write".into())
        .spawn(move || {
            for item in rx {
                match item {
                    Item::Data(due, bytes) => {
                        sleep_until(due);
                        if writer_dst.write_all(&bytes).is_err() {
                            // The destination is gone: close both so the reader stops too.
                            let _ = writer_dst.shutdown(Shutdown::Both);
                            let _ = writer_src.shutdown(Shutdown::Both);
                            return;
                        }
                    }
                    Item::Eof(due) => {
                        sleep_until(due);
                        let _ = writer_dst.shutdown(Shutdown::Write);
                        return;
                    }
                    Item::Reset(due) => {
                        sleep_until(due);
                        let _ = writer_dst.shutdown(Shutdown::Both);
                        return;
                    }
                }
            }
        })?;
    Ok(vec![reader, writer])
}

fn read_side(mut src: TcpStream, tx: &SyncSender<Item>, not_before: Instant, delay: Duration) {
    let due = || Instant::now().max(not_before) + delay;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let item = match src.read(&mut buf) {
            Ok(0) => Item::Eof(due()),
            Ok(n) => Item::Data(due(), buf.get(..n).unwrap_or_default().to_vec()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => Item::Reset(due()),
        };
        let last = !matches!(item, Item::Data(..));
        if tx.send(item).is_err() || last {
            return;
        }
    }
}

fn sleep_until(due: Instant) {
    let now = Instant::now();
    if due > now {
        std::thread::sleep(due - now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(20);

    /// An upstream that echoes everything back on each connection and half-closes after EOF.
    fn echo_server() -> (SocketAddr, JoinHandle<()>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(TIMEOUT)).unwrap();
            let mut buf = [0u8; 4096];
            loop {
                let n = conn.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                conn.write_all(&buf[..n]).unwrap();
            }
            conn.shutdown(Shutdown::Write).unwrap();
        });
        (addr, handle)
    }

    fn read_n(conn: &mut TcpStream, len: usize) -> Vec<u8> {
        let mut got = vec![0u8; len];
        conn.read_exact(&mut got).unwrap();
        got
    }

    #[test]
    fn echo_through_proxy_is_intact_ordered_and_delayed() {
        let one_way = Duration::from_millis(15);
        let (upstream, server) = echo_server();
        let proxy = DelayProxy::start(upstream, one_way).unwrap();

        let start = Instant::now();
        let mut conn = TcpStream::connect(proxy.addr()).unwrap();
        conn.set_read_timeout(Some(TIMEOUT)).unwrap();
        conn.write_all(b"ping").unwrap();
        assert_eq!(read_n(&mut conn, 4), b"ping");
        // Handshake round trip + request round trip.
        let first = start.elapsed();
        assert!(first >= 4 * one_way, "first exchange took {first:?}");

        // The same connection again (keep-alive): one round trip, no handshake.
        let start = Instant::now();
        conn.write_all(b"pong").unwrap();
        assert_eq!(read_n(&mut conn, 4), b"pong");
        let second = start.elapsed();
        assert!(second >= 2 * one_way, "second exchange took {second:?}");

        // A larger stream in many writes arrives byte for byte in order; then the client's
        // half-close reaches the server, whose own half-close comes back as EOF.
        let payload: Vec<u8> = (0..600_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let writer = {
            let mut conn = conn.try_clone().unwrap();
            let payload = payload.clone();
            std::thread::spawn(move || {
                for part in payload.chunks(10_007) {
                    conn.write_all(part).unwrap();
                }
                conn.shutdown(Shutdown::Write).unwrap();
            })
        };
        let mut echoed = Vec::new();
        conn.read_to_end(&mut echoed).unwrap();
        writer.join().unwrap();
        assert_eq!(echoed.len(), payload.len());
        assert!(echoed == payload, "echoed bytes differ from the ones sent");
        server.join().unwrap();
        drop(proxy);
    }

    #[test]
    fn server_close_reaches_the_client_and_drop_ends_open_connections() {
        let one_way = Duration::from_millis(5);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let upstream = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            // First connection: the server speaks first, then closes.
            let (mut first, _) = listener.accept().unwrap();
            first.write_all(b"hello").unwrap();
            drop(first);
            // Second connection: greets, then stays open until the proxy goes away.
            let (mut second, _) = listener.accept().unwrap();
            second.write_all(b"ready").unwrap();
            second.set_read_timeout(Some(TIMEOUT)).unwrap();
            let mut rest = Vec::new();
            second.read_to_end(&mut rest).unwrap();
        });
        let proxy = DelayProxy::start(upstream, one_way).unwrap();

        let mut first = TcpStream::connect(proxy.addr()).unwrap();
        first.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut got = Vec::new();
        first.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"hello");

        let mut idle = TcpStream::connect(proxy.addr()).unwrap();
        idle.set_read_timeout(Some(TIMEOUT)).unwrap();
        idle.write_all(b"x").unwrap();
        // The greeting proves the proxy forwarded this connection before it is dropped.
        assert_eq!(read_n(&mut idle, 5), b"ready");
        drop(proxy);
        // The proxy closed both ends: the client sees EOF (or a reset), not a timeout, and the
        // server's read_to_end returns.
        let mut rest = Vec::new();
        match idle.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) => assert!(
                !matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ),
                "client not disconnected: {e}"
            ),
        }
        server.join().unwrap();
    }

    #[test]
    fn refuses_a_non_loopback_upstream() {
        let err = DelayProxy::start("192.0.2.1:80".parse().unwrap(), Duration::ZERO)
            .err()
            .unwrap();
        assert!(err.to_string().contains("loopback only"), "{err}");
    }
}
