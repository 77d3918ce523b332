//! Reading issues: one issue's page, a search in a query's order, and a
//! listing in rank order page by page. Searches and listings both run
//! through the SQL search index (`crate::store::SearchSql`), so the UI and
//! the REST API match issues the same way.

use app::api::{ApiError, Caller, IssueDetail, SearchHits};
use kanri_domain::*;

use super::{UseCases, unavailable};
use crate::store::{Narrowing, SearchSql, StoreError};

/// Which issues a listing shows: those matching `query`'s filter (its
/// ORDER BY is ignored: a listing is in rank order) and every narrowing.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub query: Option<Query>,
    pub status: Option<StatusId>,
    /// The assignee's exact user name; `Some(None)`: unassigned issues only.
    pub assignee: Option<Option<String>>,
    pub sprint: Option<SprintNumber>,
}

/// Where a listing's page starts: after the issue with this rank and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAfter {
    pub rank: String,
    pub number: IssueNumber,
}

/// One page of a listing, and where the next starts if more follow.
#[derive(Debug, Clone)]
pub struct IssuePage {
    pub issues: Vec<Issue>,
    pub next: Option<PageAfter>,
}

impl UseCases {
    /// One issue with its history, neighbours and choices, and whether the
    /// caller may change it.
    #[tracing::instrument(skip(self))]
    pub async fn issue(&self, who: &Caller, key: &IssueKey) -> Result<IssueDetail, ApiError> {
        let role = self.readable(who, &key.project).await?;
        let not_found = || ApiError::NotFound(format!("issue {key}"));
        // Copy out the one issue and its neighbours, not the whole project.
        let found = self
            .kanri
            .read(&key.project, |state, seq| {
                IssueDetail::from_state(state, key.number).map(|d| IssueDetail {
                    seq,
                    can_edit: role.can_edit(),
                    ..d
                })
            })
            .await
            .map_err(unavailable)?;
        let mut detail = found.flatten().ok_or_else(not_found)?;
        detail.history = self
            .kanri
            .store()
            .history(&key.project, StreamRef::Issue(key.number), 0)
            .await
            .map_err(unavailable)?;
        Ok(detail)
    }

    /// The project and up to `limit` issues matching `query` (in its
    /// order), with how many matched in all.
    #[tracing::instrument(skip(self))]
    pub async fn search(
        &self,
        who: &Caller,
        key: &ProjectKey,
        query: &Query,
        me: &UserName,
        limit: usize,
    ) -> Result<SearchHits, ApiError> {
        let engine = self.kanri.store().db().engine();
        let (project, sql) = self
            .compiled(who, key, |state| {
                SearchSql::compile(engine, state, query, me, limit)
            })
            .await?;
        let (issues, total) = self.run(sql).await?;
        Ok(SearchHits {
            project,
            issues,
            total,
        })
    }

    /// Up to `limit` issues matching `filter` in rank order, after `after`.
    #[tracing::instrument(skip(self))]
    pub async fn list_issues(
        &self,
        who: &Caller,
        key: &ProjectKey,
        filter: &IssueFilter,
        me: &UserName,
        after: Option<PageAfter>,
        limit: usize,
    ) -> Result<IssuePage, ApiError> {
        let narrowing = Narrowing {
            status: filter.status,
            assignee: filter.assignee.clone(),
            sprint: filter.sprint,
            after: after.map(|a| (a.rank, a.number)),
        };
        let expr = filter.query.as_ref().and_then(|q| q.filter.as_ref());
        // One more than asked, to know whether more follow.
        let engine = self.kanri.store().db().engine();
        let (_, sql) = self
            .compiled(who, key, |state| {
                SearchSql::listing(engine, state, expr, &narrowing, me, limit + 1)
            })
            .await?;
        let (mut issues, _) = self.run(sql).await?;
        let more = issues.len() > limit;
        issues.truncate(limit);
        let next = issues.last().filter(|_| more).map(|i| PageAfter {
            rank: i.rank.to_string(),
            number: i.key.number,
        });
        Ok(IssuePage { issues, next })
    }

    /// A search compiled against the project's catalogue (statuses,
    /// sprints, from the cached state), if the caller may read it.
    async fn compiled(
        &self,
        who: &Caller,
        key: &ProjectKey,
        compile: impl FnOnce(&ProjectState) -> Result<SearchSql, QueryError>,
    ) -> Result<(Project, SearchSql), ApiError> {
        let compiled = self
            .read_as(who, key, Role::Viewer, |state, _| {
                let project = state.project.clone().expect("read only sees projects");
                compile(state).map(|sql| (project, sql))
            })
            .await?;
        compiled.map_err(|e| ApiError::invalid("q", e.to_string()))
    }

    /// The issues of the indexed projection a search selects.
    async fn run(&self, sql: SearchSql) -> Result<(Vec<Issue>, usize), ApiError> {
        sql.run(self.kanri.store().db())
            .await
            .map_err(|e: StoreError| unavailable(e))
    }
}
