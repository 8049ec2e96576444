//! GitHub: the Actions runtime (outputs, step summary, annotations, masking) and, later, the REST
//! client. Everything reads its environment through [`actions::Env`] so tests can supply their own.

pub mod actions;
