# Every helper of the end-to-end tests, in the order they build on each other.
# A scenario script starts with: . "$(dirname "$0")/lib/all.sh"
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$e2e_dir/lib/netns.sh"
. "$e2e_dir/lib/servers.sh"
. "$e2e_dir/lib/clients.sh"
. "$e2e_dir/lib/scenarios.sh"
