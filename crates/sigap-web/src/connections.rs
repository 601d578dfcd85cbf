//! Serving connections: hyper's HTTP/1 server on the listener, with the limits that
//! axum's `serve` does not set. A client must send a request's headers within
//! `header_timeout`; the timer runs from the moment the connection waits for a request, so
//! it also closes a kept-alive connection that sits idle that long, and a silent or
//! byte-a-second client holds its connection no longer. At most `max_connections` are
//! served at once: beyond them a connection is answered `503` with `Retry-After` and
//! closed, instead of being left in a full accept queue while the process runs out of file
//! descriptors. Accept errors (`EMFILE`) are logged and retried after a pause instead of
//! ending the server. Handlers read the peer as `ConnectInfo<SocketAddr>`, and shutdown is
//! graceful: the listener closes and the requests under way finish.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// The pause after a failed accept, so that a process out of file descriptors does not
/// spin while connections close.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);
/// How long a shutdown waits for the requests under way.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The limits of the connections a server keeps.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time for a request's headers, counted from when the connection waits for the
    /// request; also how long a kept-alive connection may sit idle.
    pub header_timeout: Duration,
    /// Connections served at once; as many again are answered `503` and closed.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let make = router.into_make_service_with_connect_info::<SocketAddr>();
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let turned_away = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::error!(error = %e, "accept error");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Ok(permit) = open.clone().try_acquire_owned() {
            let Ok(service) = make.clone().oneshot(peer).await;
            let builder = http1(limits.header_timeout, true);
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let watched = graceful.watch(connection);
            tokio::spawn(finish(watched, permit));
        } else if let Ok(permit) = turned_away.clone().try_acquire_owned() {
            tokio::spawn(turn_away(stream, limits.header_timeout, permit));
        }
        // Beyond both, the stream is dropped: the connection is closed at once.
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still under way at shutdown were cut off");
    }
    Ok(())
}

/// An HTTP/1 connection builder with the header timeout (hyper needs a timer for it).
fn http1(header_timeout: Duration, keep_alive: bool) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(keep_alive);
    builder
}

/// Runs a connection to its end, holding its place among the open connections.
async fn finish<F>(connection: F, permit: OwnedSemaphorePermit)
where
    F: std::future::Future<Output = Result<(), hyper::Error>>,
{
    if let Err(e) = connection.await {
        tracing::debug!(error = %e, "connection ended");
    }
    drop(permit);
}

/// Answers every request of a connection over the limit with `503` and closes it.
async fn turn_away(stream: TcpStream, header_timeout: Duration, permit: OwnedSemaphorePermit) {
    let busy = hyper::service::service_fn(|_: Request<Incoming>| async {
        let mut response = Response::new(Body::from(
            "{\"type\":\"about:blank\",\"status\":503,\"title\":\"Service Unavailable\",\
             \"detail\":\"the server has too many open connections; try again shortly\"}",
        ));
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        let headers = response.headers_mut();
        headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        Ok::<_, Infallible>(response)
    });
    let connection = http1(header_timeout, false).serve_connection(TokioIo::new(stream), busy);
    finish(connection, permit).await;
}
