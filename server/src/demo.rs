//! First run: on an empty database, a demo workspace, so a newcomer sees a
//! real board at once. It is made of ordinary accounts and ordinary
//! commands, so its history, reports and time tracking are real too.

use kanri_domain::*;
use std::collections::BTreeSet;

use crate::accounts::{AccountError, Accounts, SignUp};
use crate::service::{ExecError, Kanri, now_ms};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot create the demo accounts: {0}")]
    Account(#[from] AccountError),
    #[error("cannot create the demo project: {0}")]
    Exec(#[from] ExecError),
    #[error("cannot tell whether the database is empty: {0}")]
    Store(#[from] StoreError),
    #[error("the demo command {0} was refused: {1}")]
    Refused(&'static str, String),
}

/// A demo account and its generated password, shown once at start-up.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub name: UserName,
    pub role: Role,
    pub password: String,
}

/// The demo project's key.
pub const DEMO: &str = "DEMO";

/// Who is in the demo, their display names and roles.
const PEOPLE: [(&str, &str, Role); 3] = [
    ("alice", "Alice Archer", Role::Admin),
    ("bob", "Bob Baker", Role::Member),
    ("carol", "Carol Chen", Role::Viewer),
];

/// Creates the demo workspace when there are no accounts and no projects;
/// returns the accounts it made (none when the database was not empty).
pub async fn seed_if_empty(
    kanri: &Kanri,
    accounts: &Accounts,
) -> Result<Vec<DemoAccount>, DemoError> {
    if accounts.count().await? > 0 || !kanri.store().projects().await?.is_empty() {
        return Ok(Vec::new());
    }
    let mut made = Vec::new();
    for (name, display, role) in PEOPLE {
        let password = generate_password();
        // Fixed data and a 16-character password: always valid.
        let sign_up = SignUp {
            name: UserName::parse(name).expect("a valid demo name"),
            email: Email::parse(&format!("{name}@demo.kanri.test")).expect("a valid demo e-mail"),
            display_name: DisplayName::parse(display).expect("a valid display name"),
            password: Password::parse(&password).expect("a valid demo password"),
        };
        accounts.sign_up(sign_up, now_ms()).await?;
        made.push(DemoAccount {
            name: UserName::parse(name).expect("checked above"),
            role,
            password,
        });
    }
    Script::new(kanri).play().await?;
    tracing::info!(project = DEMO, "created the demo workspace");
    Ok(made)
}

/// 16 letters and digits (no look-alikes such as l/1, o/0): about 79 bits.
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// One demo issue: type, title, priority, points, assignee, label, epic
/// (by index into the epics), whether it is in the sprint, and its status.
type Row = (
    IssueType,
    &'static str,
    Priority,
    u32,
    &'static str,
    &'static str,
    Option<usize>,
    bool,
    u32,
);

const EPICS: [&str; 3] = ["Card payments", "Onboarding", "Offline mode"];

#[rustfmt::skip]
const ISSUES: [Row; 27] = {
    use IssueType::{Bug, Story, Task};
    use Priority::{High, Highest, Low, Medium};
    [
        (Story, "Pay with a saved card in one tap", High, 5, "alice", "payments", Some(0), true, 3),
        (Story, "Show the card's last four digits on receipts", Medium, 2, "bob", "payments", Some(0), true, 4),
        (Bug, "Declined cards show a blank error", Highest, 3, "bob", "payments", Some(0), true, 2),
        (Task, "Rotate the payment provider's API keys", High, 1, "alice", "security", Some(0), true, 4),
        (Story, "Refund a payment from the order page", Medium, 8, "", "payments", Some(0), false, 1),
        (Story, "Split a bill between two cards", Low, 13, "", "payments", Some(0), false, 1),
        (Story, "Sign up with e-mail and password", High, 3, "alice", "onboarding", Some(1), true, 4),
        (Story, "Welcome tour on first sign-in", Medium, 5, "bob", "onboarding", Some(1), true, 2),
        (Bug, "Password reset link expires too soon", High, 2, "alice", "onboarding", Some(1), true, 1),
        (Task, "Write the onboarding copy", Low, 1, "carol", "docs", Some(1), true, 3),
        (Story, "Invite teammates from the welcome screen", Medium, 3, "", "onboarding", Some(1), false, 1),
        (Story, "Queue edits while offline", High, 8, "bob", "offline", Some(2), true, 1),
        (Story, "Show a badge with pending changes", Medium, 2, "", "offline", Some(2), false, 1),
        (Task, "Spike: IndexedDB versus localStorage", Medium, 2, "alice", "offline", Some(2), true, 4),
        (Bug, "Board flickers when the socket reconnects", High, 3, "bob", "realtime", None, true, 3),
        (Bug, "Dark mode: low contrast on WIP limits", Low, 1, "", "ui", None, false, 1),
        (Task, "Upgrade the SQLite driver", Medium, 1, "alice", "tech-debt", None, true, 4),
        (Story, "Export the backlog as CSV", Low, 3, "", "reports", None, false, 1),
        (Story, "Burndown shows scope changes", Medium, 5, "", "reports", None, false, 1),
        (Bug, "Search ignores quoted labels", Medium, 2, "bob", "search", None, false, 1),
        (Task, "Document the keyboard shortcuts", Low, 1, "", "docs", None, false, 1),
        (Story, "Drag several cards at once", Low, 8, "", "ui", None, false, 1),
        (Story, "Notify watchers by e-mail", Medium, 5, "", "notifications", None, false, 1),
        (Bug, "Time zone off by one on worklogs", High, 2, "alice", "time", None, true, 2),
        (Task, "Load test the board with 500 viewers", Medium, 3, "", "performance", None, false, 1),
        (Story, "Archive finished sprints", Low, 2, "", "", None, false, 1),
        (Task, "Set up nightly database backups", High, 2, "", "ops", None, false, 1),
    ]
};

/// Plays the demo's history through the ordinary command path.
struct Script<'a> {
    kanri: &'a Kanri,
    project: ProjectKey,
}

impl<'a> Script<'a> {
    fn new(kanri: &'a Kanri) -> Self {
        Self {
            kanri,
            project: ProjectKey::parse(DEMO).expect("a valid key"),
        }
    }

    async fn run(
        &self,
        actor: &str,
        what: &'static str,
        command: Command,
    ) -> Result<Vec<Recorded>, DemoError> {
        let envelope = CommandEnvelope {
            id: CommandId(uuid::Uuid::new_v4()),
            project: self.project.clone(),
            base_version: 0,
            command,
        };
        let actor = UserName::parse(actor).expect("a demo user");
        match self.kanri.execute_at_head(&actor, envelope).await? {
            Outcome::Accepted { events } => Ok(events),
            other => Err(DemoError::Refused(what, format!("{other:?}"))),
        }
    }

    async fn create(&self, new: NewIssue) -> Result<IssueNumber, DemoError> {
        let events = self
            .run("alice", "create an issue", Command::CreateIssue(new))
            .await?;
        match events.first().map(|r| &r.event) {
            Some(Event::IssueCreated { issue, .. }) => Ok(*issue),
            other => Err(DemoError::Refused("create an issue", format!("{other:?}"))),
        }
    }

    async fn play(&self) -> Result<(), DemoError> {
        self.run(
            "alice",
            "create the project",
            Command::CreateProject {
                key: self.project.clone(),
                name: ProjectName::parse("Demo: mobile wallet").expect("a valid name"),
                kind: ProjectKind::Scrum,
            },
        )
        .await?;
        for (name, _, role) in &PEOPLE[1..] {
            let user = UserName::parse(name).expect("a demo user");
            self.run(
                "alice",
                "add a member",
                Command::AddMember { user, role: *role },
            )
            .await?;
        }
        let today = Date::from_unix_ms(now_ms());
        let days = |n: i64| Date::from_unix_ms(now_ms() + n * 86_400_000);
        self.run(
            "alice",
            "create the sprint",
            Command::CreateSprint {
                name: None,
                goal: LongText::parse("Card payments that never leave a customer guessing")
                    .expect("a valid goal"),
                start: Some(today),
                end: Some(days(14)),
            },
        )
        .await?;
        let sprint = SprintNumber(1);
        let mut epics = Vec::new();
        for title in EPICS {
            let epic = NewIssue::new(Title::parse(title).expect("a valid title"), IssueType::Epic);
            epics.push(self.create(epic).await?);
        }
        let mut moves = Vec::new();
        for (issue_type, title, priority, points, assignee, label, epic, in_sprint, status) in
            ISSUES
        {
            let mut new = NewIssue::new(Title::parse(title).expect("a valid title"), issue_type);
            new.priority = priority;
            new.points = Some(Points::from_tenths(points * 10).expect("valid points"));
            new.assignee =
                (!assignee.is_empty()).then(|| UserName::parse(assignee).expect("a demo user"));
            new.labels = (!label.is_empty())
                .then(|| Label::parse(label).expect("a valid label"))
                .into_iter()
                .collect::<BTreeSet<_>>();
            new.parent = epic.map(|i| epics[i]);
            new.sprint = in_sprint.then_some(sprint);
            new.original_estimate = in_sprint.then_some(Minutes(points * 4 * 60));
            let number = self.create(new).await?;
            if status > 1 {
                moves.push((number, status, assignee));
            }
        }
        self.run(
            "alice",
            "start the sprint",
            Command::StartSprint {
                sprint,
                start: today,
                end: days(14),
            },
        )
        .await?;
        // Work happens after the start, so the burndown has something to show.
        for (issue, status, assignee) in moves {
            let actor = if assignee.is_empty() || assignee == "carol" {
                "alice"
            } else {
                assignee
            };
            let to = StatusId(status);
            self.run(
                actor,
                "move an issue",
                Command::MoveIssue {
                    issue,
                    to,
                    after: None,
                },
            )
            .await?;
            let entry = WorkEntry {
                started: UtcTime::from_unix_ms(now_ms()),
                spent: Minutes(90 * status),
                comment: LongText::parse("Demo work").expect("a valid comment"),
            };
            self.run(
                actor,
                "log work",
                Command::LogWork {
                    issue,
                    entry,
                    remaining: RemainingAdjustment::Auto,
                },
            )
            .await?;
        }
        let body = CommentBody::parse("Let's keep the payment flow to **two** taps at most. @bob can you check the declined-card copy?")
            .expect("a valid comment");
        self.run(
            "alice",
            "comment",
            Command::AddComment {
                issue: epics[0],
                body,
            },
        )
        .await?;
        Ok(())
    }
}
