build/release/src/lib/run.o: src/lib/run.c src/lib/run.h src/lib/buf.h \
 src/lib/strvec.h src/lib/err.h src/lib/util.h
src/lib/run.h:
src/lib/buf.h:
src/lib/strvec.h:
src/lib/err.h:
src/lib/util.h:
