build/release/src/lib/buf.o: src/lib/buf.c src/lib/buf.h src/lib/err.h \
 src/lib/util.h
src/lib/buf.h:
src/lib/err.h:
src/lib/util.h:
