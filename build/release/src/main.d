build/release/src/main.o: src/main.c src/cmd/cmd.h src/lib/err.h
src/cmd/cmd.h:
src/lib/err.h:
