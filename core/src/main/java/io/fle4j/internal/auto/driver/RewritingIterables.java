package io.fle4j.internal.auto.driver;

import com.mongodb.client.DistinctIterable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Distinct iterables take a filter after they are created, so the driver's iterable is wrapped:
 * that argument goes through the collection's rewriter like the one given to {@code distinct}
 * itself. Every other call is passed on; builder calls keep returning the wrapper. The pieces
 * are shared with {@link DecryptingIterables}, which does the same for find (whose sort, min and
 * max are checked too) and aggregate.
 */
public final class RewritingIterables {
  private RewritingIterables() {}

  @SuppressWarnings("unchecked")
  static <R> DistinctIterable<R> distinct(DistinctIterable<R> iterable, IterableInputs inputs) {
    return (DistinctIterable<R>) proxy(DistinctIterable.class, iterable, inputs);
  }

  /**
   * Wraps an iterable whose methods carry no user data (list*, change streams), so that a method
   * this fle4j version does not know is still refused.
   */
  @SuppressWarnings("unchecked")
  static <I> I classified(Class<I> type, I delegate) {
    return (I) proxy(type, delegate, null);
  }

  private static Object proxy(Class<?> type, Object delegate, IterableInputs inputs) {
    InvocationHandler handler = new InvocationHandler() {
      @Override
      public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
          return objectMethod(proxy, delegate, method, args);
        }
        IterableMethods.Kind kind = IterableMethods.require(type, method);
        return forward(proxy, delegate, method, kind == IterableMethods.Kind.ANALYSED
            ? inputs.rewrite(method, args) : args);
      }
    };
    return Proxy.newProxyInstance(RewritingIterables.class.getClassLoader(), new Class<?>[] {type},
        handler);
  }

  /** equals, hashCode and toString of a wrapper proxy. */
  public static Object objectMethod(Object proxy, Object delegate, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "Encrypting" + delegate;
    };
  }

  /** Calls {@code method} on the wrapped object; a builder call returning it returns the proxy. */
  public static Object forward(Object proxy, Object delegate, Method method, Object[] args) throws Throwable {
    try {
      Object result = method.invoke(delegate, args);
      return result == delegate ? proxy : result;
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
