build/release/src/lib/err.o: src/lib/err.c src/lib/err.h src/lib/buf.h
src/lib/err.h:
src/lib/buf.h:
