//! frontoffice: the console of a municipal social-services front office.
//!
//! Layers point one way: `domain` (pure rules) ← `store` (sled) ← `service` (the one API) ←
//! `cli` (and the console and server that build on the same service). `documents` renders the
//! documents to sign from what the service hands out (template + values -> PDF).

pub mod cli;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod logging;
pub mod os;
pub mod server;
pub mod service;
pub mod store;
pub mod tui;
