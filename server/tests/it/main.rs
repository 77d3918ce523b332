//! The server's black-box tests, linked into one binary: each test binary
//! links the whole server, so one binary instead of four saves ~3/4 of the
//! link time and disk.

mod account_limits;
mod accounts;
mod api;
mod assets;
mod authorization;
mod capped;
mod common;
mod contention;
mod database_url;
mod demo;
mod enumeration;
mod event_core;
mod fixture_log;
mod fn_fuzz;
mod hardening;
mod hostile_input;
mod issue_page;
mod live;
mod node_failover;
mod node_kill;
mod node_limits;
mod nodes;
mod numbers;
mod ownership;
mod page_access;
mod panics;
mod postgres_log;
mod postgres_script;
mod request_ids;
mod rest;
mod revocation;
mod search;
mod search_index;
mod settings;
mod share_links;
mod sprints;
mod themes;
mod time;
mod transfer;
mod unknown_projects;
