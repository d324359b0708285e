# Included by the root Makefile. `make lab-<name>` runs one lab of docs/close-handling.md against
# the release binary (build/bin/closewise); `make labs` runs them all. See docs/labs/README.md.

LABS := close-wait client-close-wait time-wait-side port-exhaustion client-port-exhaustion \
        linger-zero lingering-close dead-peer \
        slowloris tw-sysctls accept-queue balancer-race check-mermaid

.PHONY: labs $(addprefix lab-,$(LABS))

$(addprefix lab-,$(LABS)): lab-%: build
	CLOSEWISE_BIN=$(CURDIR)/$(BUILD)/bin/closewise bash docs/labs/$*.sh

labs: build
	@failed=0; for lab in $(LABS); do \
	  CLOSEWISE_BIN=$(CURDIR)/$(BUILD)/bin/closewise bash docs/labs/$$lab.sh; rc=$$?; \
	  [ $$rc -eq 0 ] || [ $$rc -eq 77 ] || failed=1; \
	  echo; \
	done; exit $$failed
