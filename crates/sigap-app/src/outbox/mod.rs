//! What leaves sigap after a step has committed: the job table it waits in ([`jobs`]), the
//! mail to every party ([`notify`]; what a step sends in [`step_mail`], a meeting's
//! invitation in [`invitation`], the Message-IDs and reply addresses that thread it in
//! [`threads`]) and the
//! signed webhooks ([`webhooks`]). A use case enqueues in its own transaction; the worker
//! ([`crate::worker`]) delivers.

pub mod invitation;
pub mod jobs;
pub(crate) mod law_mail;
pub mod notify;
pub mod step_mail;
pub mod threads;
pub mod webhooks;
