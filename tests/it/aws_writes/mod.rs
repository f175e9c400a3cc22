//! Every write of the AWS adapter against moto, in its dry-run and real forms, read back through the
//! adapter (`instances`, `storage`, `network`); plus error mapping and the SDK's retry of throttled
//! calls (`errors`).

use crate::support;

use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use serde_json::json;
use std::sync::Arc;
use support::calls;
use support::inventory;
use support::moto;
use support::ports::{assert_dry_ok, one};

mod errors;
mod instances;
mod network;
mod storage;
