//! CPU-heavy work — checking a submission, verifying a signature, compiling or diagnosing a
//! definition — runs off the async workers (review M3), a bounded number at a time, each with a
//! deadline. With two cores the runtime has two async workers: work done on them stalls every
//! other request, `/healthz` included; and tokio's blocking pool would take up to 512 threads.
//!
//! [`cpu`] waits for one of [`permits`] slots (twice the cores), runs the work on the blocking
//! pool, and answers 503 `busy` with `Retry-After` when no slot frees up or the work does not end
//! within its deadline. Work past its deadline cannot be stopped; it keeps its slot until it ends,
//! so a flood of slow requests fills the slots, and what comes after waits at most its deadline
//! for one, then is refused.

use crate::reply::error;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use form_core::Text;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The deadline of one request's CPU work (waiting for a slot included).
pub const DEADLINE: Duration = Duration::from_secs(10);

/// How many pieces of CPU work run at once: twice the cores.
pub fn permits() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) * 2
}

static SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(permits())));

/// Runs `f` on the blocking pool within `deadline` (see the module's doc).
pub async fn cpu<T: Send + 'static>(
    deadline: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    run_in(&SLOTS, deadline, f).await
}

async fn run_in<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    deadline: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    let started = Instant::now();
    let permit = match tokio::time::timeout(deadline, slots.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        _ => return Err(busy()),
    };
    let task = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        f()
    });
    match tokio::time::timeout(deadline.saturating_sub(started.elapsed()), task).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "CPU work failed");
            Err(crate::reply::internal())
        }
        Err(_) => {
            tracing::warn!(
                seconds = deadline.as_secs_f64(),
                "CPU work past its deadline"
            );
            Err(busy())
        }
    }
}

/// 503 `busy`, try again in a few seconds.
fn busy() -> Response {
    metrics::counter!("eform_cpu_busy_total").increment(1);
    let mut res = error(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        Text::new(
            "Cổng đang bận, vui lòng thử lại sau ít giây. Dữ liệu bạn nhập vẫn được giữ.",
            "The portal is busy; please try again in a few seconds. What you entered is kept.",
        ),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_past_its_deadline_or_without_a_slot_is_refused() {
        let slots = Arc::new(Semaphore::new(1));
        assert_eq!(
            run_in(&slots, Duration::from_secs(5), || 41 + 1).await.ok(),
            Some(42)
        );
        // A piece of work far past its deadline answers 503 with Retry-After…
        let slow = run_in(&slots, Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(800));
        })
        .await
        .unwrap_err();
        assert_eq!(slow.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(slow.headers()[header::RETRY_AFTER], "5");
        // …and keeps its slot until it ends: the next one finds none free.
        let queued = run_in(&slots, Duration::from_millis(50), || ()).await;
        assert_eq!(
            queued.unwrap_err().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert!(run_in(&slots, Duration::from_secs(5), || ()).await.is_ok());
    }
}
