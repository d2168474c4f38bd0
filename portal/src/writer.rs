//! The intake queue: every submission and amendment goes through one task that writes them in
//! batches, one transaction and one disk sync per batch (group commit), and answers each only
//! once its batch is committed. On SQLite this is what makes durable intake fast: a sync per
//! dossier would cap it near the disk's sync rate, shared with everything else.

use crate::clock;
use crate::db::{Db, Job, Outcome};
use tokio::sync::{mpsc, oneshot};

/// Most jobs in one transaction.
const MAX_BATCH: usize = 64;

type Reply = oneshot::Sender<Result<Outcome, String>>;

/// The handle handlers send jobs to. Cloning shares the queue.
#[derive(Clone, Debug)]
pub struct Writer {
    queue: mpsc::Sender<(Job, Reply)>,
}

impl Writer {
    /// Jobs waiting in the queue (for the metrics).
    pub fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    /// Starts the writing task on the current Tokio runtime.
    pub fn start(db: Db) -> Writer {
        let (queue, mut jobs) = mpsc::channel::<(Job, Reply)>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (work, replies): (Vec<Job>, Vec<Reply>) = batch.drain(..).unzip();
                match db.apply_batch(&work, clock::now_ms()).await {
                    Ok(outcomes) => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                    }
                    Err(e) => {
                        // Nothing of the batch was stored. One at a time, so that a job that
                        // cannot be stored (or a unique key another portal instance took
                        // meanwhile) fails alone.
                        tracing::warn!(error = %e, jobs = work.len(), "batch failed; writing one by one");
                        for (job, reply) in work.into_iter().zip(replies) {
                            let one = db
                                .apply_batch(std::slice::from_ref(&job), clock::now_ms())
                                .await
                                .map(|mut o| o.remove(0))
                                .map_err(|e| e.to_string());
                            if let Err(e) = &one {
                                tracing::error!(error = %e, "a dossier write failed");
                            }
                            let _ = reply.send(one);
                        }
                    }
                }
            }
        });
        Writer { queue }
    }

    /// Queues `job` and waits until it is committed (or refused, or failed).
    pub async fn run(&self, job: Job) -> Result<Outcome, String> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((job, reply))
            .await
            .map_err(|_| "the intake writer has stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the intake writer has stopped".to_owned())?
    }
}
