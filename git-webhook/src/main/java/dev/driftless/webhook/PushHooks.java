package dev.driftless.webhook;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.PostReceiveHook;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the endpoint does around a push: before the refs move, refuse rewriting or deleting a protected branch
 * and refs that are neither branches nor tags; after they moved, hand the changes to the {@link GitPushSink}
 * and tell the git client when that failed.
 */
final class PushHooks implements PreReceiveHook, PostReceiveHook {
    private static final Logger LOG = LoggerFactory.getLogger(PushHooks.class);

    private final String owner;
    private final String repository;
    private final String cloneUrl;
    private final Set<String> protectedBranches;
    private final GitPushSink sink;

    PushHooks(String owner, String repository, String cloneUrl, Set<String> protectedBranches, GitPushSink sink) {
        this.owner = owner;
        this.repository = repository;
        this.cloneUrl = cloneUrl;
        this.protectedBranches = protectedBranches;
        this.sink = sink;
    }

    @Override
    public void onPreReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
        for (ReceiveCommand command : commands) {
            if (command.getResult() != ReceiveCommand.Result.NOT_ATTEMPTED) {
                continue;
            }
            String ref = command.getRefName();
            if (!ref.startsWith(Constants.R_HEADS) && !ref.startsWith(Constants.R_TAGS)) {
                reject(pack, command, "driftless accepts branches and tags only, not " + ref);
                continue;
            }
            if (!ref.startsWith(Constants.R_HEADS)) {
                continue;
            }
            String branch = ref.substring(Constants.R_HEADS.length());
            if (!protectedBranches.contains(branch)) {
                continue;
            }
            if (command.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD) {
                reject(pack, command, "non-fast-forward push to protected branch " + branch
                        + " refused: fetch, merge or rebase, then push again");
            } else if (command.getType() == ReceiveCommand.Type.DELETE) {
                reject(pack, command, "deleting protected branch " + branch + " is refused");
            }
        }
    }

    private static void reject(ReceivePack pack, ReceiveCommand command, String why) {
        command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, why);
        pack.sendMessage("driftless: " + why);
    }

    @Override
    public void onPostReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
        List<RepositoryChanged> changes = new ArrayList<>();
        for (ReceiveCommand command : commands) {
            if (command.getResult() == ReceiveCommand.Result.OK) {
                changes.add(new RepositoryChanged(owner, repository, command.getRefName(),
                        command.getOldId().name(), command.getNewId().name(), cloneUrl));
            }
        }
        if (changes.isEmpty()) {
            return;
        }
        try {
            List<String> told = sink.pushedTelling(List.copyOf(changes));
            pack.sendMessage("driftless: recorded " + owner + "/" + repository + ", reconcile queued");
            told.forEach(line -> pack.sendMessage("driftless: " + line));
        } catch (Exception e) {
            LOG.warn("push to {}/{} was stored but not recorded for reconcile: {}", owner, repository, e.toString());
            pack.sendError("driftless: the push was stored but the reconcile trigger was NOT recorded ("
                    + e.getClass().getSimpleName() + "); push again or wait for the next resync");
        }
    }
}
