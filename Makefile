# Shorthands for the scripts in tools/ (the README's two commands work without make).
.PHONY: run test build
run:
	tools/run.sh
test:
	tools/test.sh
build:
	tools/build.sh
