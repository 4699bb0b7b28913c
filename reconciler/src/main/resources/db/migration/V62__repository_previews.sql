-- Per-repository preview switches (absent row: the defaults, branch previews off and the PR comment on), and
-- previews of branches pushed to the built-in git endpoint: their rows carry the branch (pr_number 0).
CREATE TABLE repository_previews (
    owner            VARCHAR(100)  NOT NULL,
    repository       VARCHAR(200)  NOT NULL,
    branch_previews  BOOLEAN       NOT NULL,
    pr_comment       BOOLEAN       NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, repository)
);
ALTER TABLE previews ADD COLUMN branch VARCHAR(255);
