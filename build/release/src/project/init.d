build/release/src/project/init.o: src/project/init.c src/project/init.h \
 src/git/repo.h src/lib/buf.h src/lib/run.h src/lib/strvec.h \
 src/lib/err.h src/lib/util.h src/project/project.h src/config/config.h \
 src/vfile/vfile.h
src/project/init.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/lib/strvec.h:
src/lib/err.h:
src/lib/util.h:
src/project/project.h:
src/config/config.h:
src/vfile/vfile.h:
