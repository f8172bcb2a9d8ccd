build/release/src/lib/util.o: src/lib/util.c src/lib/util.h src/lib/buf.h \
 src/lib/err.h
src/lib/util.h:
src/lib/buf.h:
src/lib/err.h:
