//! Running a command: judged against the project's cached state under its
//! lock, rebased on what changed since its base version (merge or
//! conflict), appended (on PostgreSQL within a group commit), published,
//! and answered; a repeated command id is answered as its first run was.

use kanri_domain::*;
use std::sync::atomic::Ordering;

use super::group_commit::{self, Batch};
use super::{Base, Check, ExecError, Executed, Kanri, RACE_RETRIES, now_ms, snapshot};
use crate::store::{AppendMeta, AppendTo, StoreError, Until};

impl Kanri {
    /// Executes one command for `actor`. A repeated command id returns the
    /// first answer and writes nothing.
    #[tracing::instrument(skip_all, fields(project = %envelope.project, command_id = %envelope.id, actor = %actor))]
    pub async fn execute(
        &self,
        actor: &UserName,
        envelope: CommandEnvelope,
    ) -> Result<Outcome, ExecError> {
        self.execute_based(actor, envelope, Base::Given, Check::Role, |_, _| ())
            .await
            .map(|done| done.outcome)
    }

    /// Executes a command based on its target's current version, read under
    /// the lock it runs under: for commands whose author means "whatever it
    /// is now" (a bulk move into a sprint, saving a filter, watching).
    #[tracing::instrument(skip_all, fields(project = %envelope.project, command_id = %envelope.id, actor = %actor))]
    pub async fn execute_at_head(
        &self,
        actor: &UserName,
        envelope: CommandEnvelope,
    ) -> Result<Outcome, ExecError> {
        self.execute_based(actor, envelope, Base::Head, Check::Role, |_, _| ())
            .await
            .map(|done| done.outcome)
    }

    /// Executes a command (based on its envelope's version, or on its
    /// target's current one with `base` = [`Base::Head`]) and runs `view` on
    /// the state it left, under the same lock: so what `view` sees holds
    /// this command's changes and no later writer's.
    #[tracing::instrument(skip_all, fields(project = %envelope.project, command_id = %envelope.id, actor = %actor))]
    pub async fn execute_viewing<T>(
        &self,
        actor: &UserName,
        envelope: CommandEnvelope,
        base: Base,
        view: impl Fn(&ProjectState, &Outcome) -> T,
    ) -> Result<Executed<T>, ExecError> {
        self.execute_based(actor, envelope, base, Check::Role, view)
            .await
    }

    /// Makes the first actor of every project created before roles existed
    /// its admin (as that actor), so no project is left without one.
    pub async fn adopt_projects_without_members(&self) -> Result<usize, ExecError> {
        let mut adopted = 0;
        for (project, _) in self.store.projects().await? {
            if !project.members.is_empty() {
                continue;
            }
            let Some(creator) = self.store.first_actor(&project.key).await? else {
                continue;
            };
            let envelope = CommandEnvelope {
                id: CommandId(uuid::Uuid::new_v4()),
                project: project.key.clone(),
                base_version: 0,
                command: Command::AddMember {
                    user: creator.clone(),
                    role: Role::Admin,
                },
            };
            self.execute_based(&creator, envelope, Base::Head, Check::Skip, |_, _| ())
                .await?;
            adopted += 1;
        }
        Ok(adopted)
    }

    async fn execute_based<T>(
        &self,
        actor: &UserName,
        mut envelope: CommandEnvelope,
        base: Base,
        check: Check,
        view: impl Fn(&ProjectState, &Outcome) -> T,
    ) -> Result<Executed<T>, ExecError> {
        let key = envelope.project.clone();
        for attempt in 1..=RACE_RETRIES {
            let mut held = self.lock_for_command(&key).await;
            let cached = &mut *held.cached;
            // After a race, the project's turn is taken before deciding and
            // the state caught up under it: no other node appends
            // meanwhile, so this attempt cannot lose the race again.
            let turn = match attempt {
                1 => None,
                _ => {
                    self.settle(&key, cached).await;
                    self.store.take_turn(&key).await?
                }
            };
            if turn.is_some() {
                self.catch_up(&key, cached).await?;
            }
            if cached.is_none() {
                *cached = Some(self.load(&key).await?);
            }
            let entry = cached.as_mut().expect("loaded above");
            let target = envelope.command.target();
            if let (Base::Head, Some(target)) = (base, target) {
                envelope.base_version = entry.state.version_of(&target);
            }
            let authorized = match check {
                Check::Role => authorize(&entry.state, actor, &envelope.command),
                Check::Skip => Ok(()),
            };
            let rebases =
                target.is_some_and(|t| envelope.base_version < entry.state.version_of(&t));
            // A refusal, and a rebase (it reads the log's history), must
            // rest on committed events: the open batch commits first.
            if (authorized.is_err() || rebases) && entry.batch.is_some() {
                self.settle(&key, cached).await;
                if cached.is_none() {
                    continue; // It did not commit: start over from the stored state.
                }
            }
            authorized?;
            let entry = cached.as_mut().expect("present above");
            let prev = entry.last_seq;
            let joined = entry.batch.is_some();
            let mut begun = None;
            let to = match entry.batch.as_mut() {
                Some(batch) => AppendTo::Within(&mut batch.turn),
                None if turn.is_none() => AppendTo::Begin(&mut begun),
                None => AppendTo::Own(turn),
            };
            entry.writing = true;
            let result = self
                .try_execute(&mut entry.state, to, prev, actor, &envelope)
                .await;
            entry.writing = false;
            match result {
                Ok(outcome) => {
                    entry.last_seq = entry.last_seq.max(outcome.last_seq());
                    let produced = view(&entry.state, &outcome);
                    let executed = Executed { outcome, produced };
                    let opened = begun.is_some();
                    if let Some(turn) = begun {
                        entry.batch = Some(Batch::new(turn, prev));
                    }
                    let Some(batch) = entry.batch.as_mut() else {
                        // Committed in a transaction of its own (SQLite, or
                        // the turn after a race).
                        let recorded = executed.outcome.recorded();
                        group_commit::published(&key, prev, &recorded, &self.hub, &self.announce());
                        return Ok(executed);
                    };
                    let committed = batch.join(executed.outcome.recorded());
                    let others_wait = held.slot.waiting.load(Ordering::Relaxed) > 0;
                    if batch.is_full() || (opened && !others_wait) {
                        self.settle(&key, cached).await;
                    } else if opened {
                        // Those queued join this transaction; then it commits.
                        group_commit::settle_later(
                            held.slot.clone(),
                            key.clone(),
                            self.hub.clone(),
                            self.announce(),
                        );
                    }
                    drop(held);
                    if committed.await.is_ok() {
                        return Ok(executed);
                    }
                    // The batch did not commit: run again.
                }
                // The open batch's transaction failed on this command's
                // write: its other commands run again, and so does this one
                // (a repeated id's first run may have been in the batch).
                Err(ExecError::Store(e)) if joined => {
                    *cached = None;
                    if attempt == RACE_RETRIES {
                        return Err(e.into());
                    }
                    tracing::debug!(error = %e, attempt, "a write into a group commit failed; running again");
                }
                // The id is in the log: the command ran before (a retry, an offline replay).
                Err(ExecError::Store(StoreError::DuplicateCommand)) => {
                    *cached = None;
                    let first = self.first_answer(actor, envelope.id).await?;
                    let outcome = first.unwrap_or(Err(StoreError::DuplicateCommand.into()))?;
                    let entry = cached.insert(self.load(&key).await?);
                    let then = self.as_left_by(&key, &outcome).await?;
                    let produced = view(then.as_ref().unwrap_or(&entry.state), &outcome);
                    return Ok(Executed { outcome, produced });
                }
                // A repeat may be refused now (e.g. "project exists") though
                // it ran before. The refusal must rest on committed events,
                // and the first run may be in the open batch: it commits first.
                Err(ExecError::Domain(e)) => {
                    self.settle(&key, cached).await;
                    let Some(entry) = cached.as_ref() else {
                        continue; // It did not commit: start over.
                    };
                    let first = self.first_answer(actor, envelope.id).await?;
                    let outcome = first.unwrap_or(Err(ExecError::Domain(e)))?;
                    let then = self.as_left_by(&key, &outcome).await?;
                    let produced = view(then.as_ref().unwrap_or(&entry.state), &outcome);
                    return Ok(Executed { outcome, produced });
                }
                Err(ExecError::Store(StoreError::Race(what))) if attempt < RACE_RETRIES => {
                    tracing::debug!(%what, attempt, "another node appended first; reloading");
                    self.reload(&key, cached).await?;
                }
                Err(e @ ExecError::Store(_)) => {
                    // The state may hold events the failed transaction rolled back.
                    *cached = None;
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::NotCommitted.into())
    }

    /// The project as a repeated command's first run left it (replayed from
    /// the log), so its answer names that version, not a later writer's;
    /// `None` if that run wrote nothing (the current state will do).
    async fn as_left_by(
        &self,
        key: &ProjectKey,
        first: &Outcome,
    ) -> Result<Option<ProjectState>, StoreError> {
        match first.last_seq() {
            0 => Ok(None),
            seq => Ok(Some(self.project_as_of(key, Until::Seq(seq)).await?.0)),
        }
    }

    /// The stored answer to command `id`, if it ran before; an error if it
    /// was someone else's.
    async fn first_answer(
        &self,
        actor: &UserName,
        id: CommandId,
    ) -> Result<Option<Result<Outcome, ExecError>>, StoreError> {
        Ok(self.store.find_command(id).await?.map(|(by, outcome)| {
            if by == actor.as_str() {
                Ok(outcome)
            } else {
                Err(ExecError::CommandIdTaken(id))
            }
        }))
    }

    async fn try_execute(
        &self,
        state: &mut ProjectState,
        to: AppendTo<'_>,
        known_head: u64,
        actor: &UserName,
        envelope: &CommandEnvelope,
    ) -> Result<Outcome, ExecError> {
        let project = &envelope.project;
        let command = &envelope.command;
        command.check_bounds()?;
        match command {
            Command::CreateProject { key, .. } if key != project => {
                return Err(ExecError::KeyMismatch {
                    key: key.clone(),
                    addressed: project.clone(),
                });
            }
            Command::CreateProject { .. } => {}
            _ if state.project.is_none() => {
                return Err(DomainError::ProjectNotFound(project.clone()).into());
            }
            _ => {}
        }
        // Who and when, beside the command: the events record them from here.
        let at_ms = now_ms();
        let context = Context::new(actor.clone(), UtcTime::from_unix_ms(at_ms));
        let target = command.target();
        let base = envelope.base_version;
        let current = target.map_or(0, |t| state.version_of(&t));
        let intervening = match target {
            Some(t) if base < current => self
                .store
                .stream_after(project, t, base)
                .await?
                .into_iter()
                .map(|r| r.event)
                .collect(),
            _ => Vec::new(),
        };
        let meta = AppendMeta {
            project,
            actor,
            command_id: envelope.id,
            at_ms,
            known_head,
        };
        let outcome = match rebase(command, base, current, &intervening)? {
            Rebase::Conflict(fields) => {
                let stream = target.expect("only commands on existing streams conflict");
                let changes = self.store.history(project, stream, base).await?;
                let fields: Vec<Field> = fields.into_iter().collect();
                let audit = Event::ConflictRecorded {
                    stream,
                    base_version: base,
                    fields: fields.clone(),
                    attempted: attempted(state, command),
                };
                tracing::info!(?fields, base, current, "conflict recorded");
                self.store
                    .append(to, state, &meta, vec![audit], |state, mut recorded| {
                        Outcome::Conflict {
                            fields,
                            recorded: Box::new(recorded.remove(0)),
                            changes,
                            current: snapshot(state, stream),
                        }
                    })
                    .await?
            }
            Rebase::UpToDate => {
                let events = decide(state, &context, command)?;
                self.store
                    .append(to, state, &meta, events, |_, events| Outcome::Accepted {
                        events,
                    })
                    .await?
            }
            Rebase::Merge => {
                let events = decide(state, &context, command)?;
                let over = self
                    .store
                    .history(project, target.expect("merges have a target"), base)
                    .await?;
                self.store
                    .append(to, state, &meta, events, |_, events| Outcome::Merged {
                        events,
                        over,
                    })
                    .await?
            }
        };
        Ok(outcome)
    }
}
