# DHCPv6 codec (d6_*) and DUIDs: sources, unit tests.
