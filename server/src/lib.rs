//! Kanri's server: configuration, the SQLite event store and its projections,
//! the command service, the live hub, the subscriber projections, and the
//! HTTP routes that serve the Leptos app.

pub mod accounts;
pub mod api_tokens;
pub mod backend;
pub mod capped;
pub mod config;
pub mod db;
pub mod demo;
pub mod hub;
pub mod nodes;
pub mod replay;
pub mod rest;
pub mod routes;
pub mod secret;
pub mod service;
pub mod sessions;
pub mod sharing;
pub mod site;
pub mod startup;
pub mod store;
pub mod subscribers;
pub mod telemetry;
pub mod transfer;
pub mod usecases;
pub mod webhooks;
