build/release/src/cmd/common.o: src/cmd/common.c src/cmd/common.h \
 src/lib/strvec.h src/lib/buf.h src/lib/err.h
src/cmd/common.h:
src/lib/strvec.h:
src/lib/buf.h:
src/lib/err.h:
